/**
 * The HTTP rate limiter. Mounted on `/v1/*` after local token verification
 * (which sets `claims`) and before maintenance and any session lookup.
 * Fails closed: when the store cannot decide, the answer is 503
 * `rate_limiter_unavailable` with `Retry-After`, and the handler never runs.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { Environment } from "../config/index.ts";
import type { AppEnv } from "../http/context.ts";
import { ApiError } from "../http/errors.ts";
import type { Logger } from "../telemetry/logger.ts";
import { isStoreUnavailableError, rateLimiterUnavailable } from "./errors.ts";
import { formatRateLimit, formatRateLimitPolicy, formatRetryAfter } from "./headers.ts";
import {
  CREDENTIAL_PATHS,
  type Identity,
  limitsFor,
  type RateLimitPolicies,
  routeGroupOf,
} from "./policies.ts";
import type { RateLimitStore } from "./types.ts";

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  store: RateLimitStore;
  environment: Environment;
  policies: RateLimitPolicies;
  /** Route group of a path (default {@link routeGroupOf}: first segment after `/v1/`). */
  routeGroup?: (path: string) => string | undefined;
  /** Logs unexpected (non-store) errors; store outages are logged by the store itself. */
  logger?: Logger;
}

/**
 * Builds the middleware. Refuses an in-memory store outside development:
 * per-instance counters would multiply every limit by the number of machines.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const { store, environment, policies, logger } = options;
  const groupOf = options.routeGroup ?? routeGroupOf;
  if (environment !== "development" && store.health().kind === "memory") {
    throw new TypeError("the in-memory rate-limit store is for development only");
  }
  return async (c, next) => {
    const sub = CREDENTIAL_PATHS.has(c.req.path) ? undefined : c.get("claims")?.sub;
    const identity: Identity = sub
      ? { kind: "user", userId: sub }
      : { kind: "ip", ip: c.get("clientIp") ?? "unknown" };
    const limits = limitsFor(policies, identity, groupOf(c.req.path));
    const policy = formatRateLimitPolicy(limits);
    let decision: Awaited<ReturnType<RateLimitStore["decide"]>>;
    try {
      decision = await store.decide(limits);
    } catch (err) {
      if (!isStoreUnavailableError(err)) {
        // A bug, not an outage — still fail closed.
        logger?.error("rate limiter failed", {
          request_id: c.get("requestId"),
          error: err instanceof Error ? { name: err.name, message: err.message } : String(err),
        });
      }
      throw rateLimiterUnavailable({ "RateLimit-Policy": policy });
    }
    const headers = { "RateLimit-Policy": policy, RateLimit: formatRateLimit(decision.states) };
    if (!decision.allowed) {
      throw new ApiError("rate_limited", {
        headers: { ...headers, "Retry-After": formatRetryAfter(decision.retryAfterMs) },
      });
    }
    await next();
    // Set after the handler so error responses rendered by onError carry them too. On the
    // response itself: `c.header()` after the handler re-creates the whole Response per call.
    // A handler's own limits (the login throttle's 429) are listed after the route's, not lost.
    const out = c.res.headers;
    for (const [name, value] of Object.entries(headers)) {
      const own = out.get(name);
      out.set(name, own ? `${value}, ${own}` : value);
    }
  };
}
