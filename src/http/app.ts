/**
 * Assembles the HTTP application. Features plug in through {@link AppDeps}, so
 * this file fixes only the order every request goes through (DESIGN §6):
 *
 * request id → client IP → span (when tracing is on) → access log → security headers → body limit
 * → (for /v1) local token verification → rate limit → maintenance → one Host
 * → route: session check → validation (a decodable query included) → handler.
 * @module
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Clock } from "../clock/index.ts";
import type { Config } from "../config/index.ts";
import { isDatabaseUnavailable, isStorageError } from "../storage/errors.ts";
import type { Logger } from "../telemetry/logger.ts";
import type { AppEnv } from "./context.ts";
import { ApiError, errorResponse, isApiError } from "./errors.ts";
import { accessLog } from "./middleware/accessLog.ts";
import { bodyLimit } from "./middleware/bodyLimit.ts";
import { requestId } from "./middleware/requestId.ts";
import { securityHeaders } from "./middleware/securityHeaders.ts";
import { severalHosts, singleHost } from "./middleware/singleHost.ts";
import { tracing } from "./middleware/tracing.ts";
import { withMiddlewareResponses } from "./middlewareResponses.ts";
import { allowedMethodsFor } from "./notAllowed.ts";
import { PROBE_PATHS } from "./probePaths.ts";
import { type ReadinessProbe, registerHealthRoutes } from "./routes/health.ts";
import { validationHook } from "./validation.ts";

/** Registers a feature's routes on the app. */
export type RouteRegistrar = (app: OpenAPIHono<AppEnv>) => void;

/** Everything the app is assembled from. */
export interface AppDeps {
  config: Pick<Config, "environment" | "BODY_LIMIT">;
  logger: Logger;
  version: string;
  readiness: ReadinessProbe;
  /** Sets `c.var.clientIp` (per `TRUST_PROXY`). */
  clientIp: MiddlewareHandler<AppEnv>;
  /** Run for every `/v1/*` request, in order (token verification, rate limit, maintenance). */
  v1Middleware: MiddlewareHandler<AppEnv>[];
  /**
   * The rate limit for requests outside `/v1` (the OpenAPI document, unknown paths),
   * keyed by client IP. Health checks are exempt: a balancer's probes must neither be
   * limited nor fail closed with the limiter (`/readyz` reports the limiter itself).
   */
  outsideV1Limit?: MiddlewareHandler<AppEnv>;
  /** Feature routes. */
  routes: RouteRegistrar[];
  /** Paces the access log's refusal lines (default: the system clock). */
  clock?: Clock;
  /**
   * Mount the span middleware (default true). Off only when no tracer provider
   * is registered: then every span would be a no-op, yet the middleware still
   * costs ~10 µs per request (header extraction, URL parse, context switch).
   */
  tracing?: boolean;
  /**
   * Build `/openapi.json` this long after the app is created (the server sets it). Building it
   * takes 60–140 ms of CPU; in the first request that asked, it held the event loop while other
   * requests' rate-limit replies waited. Unset: built on first request (tests).
   */
  prebuildOpenApiAfterMs?: number;
}

/** Builds the app. Pure: listens on nothing; at most a timer that prebuilds the OpenAPI document. */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.use("*", requestId());
  app.use("*", deps.clientIp);
  if (deps.tracing !== false) app.use("*", tracing());
  app.use("*", accessLog(deps.logger, deps.clock));
  app.use("*", securityHeaders(deps.config.environment));
  app.use("*", bodyLimit(deps.config.BODY_LIMIT));
  for (const mw of deps.v1Middleware) app.use("/v1/*", mw);
  const outside = deps.outsideV1Limit;
  if (outside) {
    app.use("*", async (c, next) => {
      const path = c.req.path;
      // `/v1` itself is matched by the `/v1/*` middleware above: not limited twice.
      const v1 = path === "/v1" || path.startsWith("/v1/");
      // Only a probe is exempt (GET; HEAD arrives as GET, one Host): a POST to /healthz is a
      // 405 like any other path's, and two Host lines a 400, both limited, or a flood of
      // them was an unlimited flood of log lines (3.5 MB/s of 400s in an audit).
      const probe =
        PROBE_PATHS.has(path) && c.req.method === "GET" && !severalHosts(c.req.raw.headers);
      if (v1 || probe) return next();
      return outside(c, next);
    });
  }
  // After the limiters: its 400 carries their headers, like every other answer they let through.
  app.use("*", singleHost());

  registerHealthRoutes(app, deps.readiness);
  for (const register of deps.routes) register(app);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  // Generated once (prebuilt after start-up by the server, else on first request), and
  // this route is public (limited per IP by `outsideV1Limit`, like every path outside /v1).
  let openApiJson: string | undefined;
  // Served as a plain route (its body is a cached string), documented like the others.
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/openapi.json",
    operationId: "getOpenApiDocument",
    summary: "This document: the OpenAPI 3.1 description of every route",
    tags: ["meta"],
    responses: {
      200: {
        description: "The OpenAPI 3.1 document",
        content: {
          "application/json": {
            schema: z.object({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }),
          },
        },
      },
    },
  });
  const openApiDocument = () =>
    (openApiJson ??= JSON.stringify(
      withMiddlewareResponses(
        app.getOpenAPI31Document({
          openapi: "3.1.0",
          info: {
            title: "trading-server",
            // The API's version, not the build's: this document is public, and the git revision
            // (`+…`, src/version.ts) would tell anyone which fixes an instance lacks.
            version: deps.version.split("+")[0] as string,
            description: "API of a small AI-assisted trading desk.",
          },
          tags: [
            {
              name: "health",
              description: "Probes for a balancer or supervisor: no token, no limit",
            },
            { name: "auth", description: "Sign-in, token refresh, the caller's own account" },
            { name: "market", description: "Quotes, bars, news and sentiment, with provenance" },
            { name: "admin", description: "Users, audit log, maintenance, status (admin role)" },
            { name: "meta", description: "This document" },
          ],
        }),
      ),
    ));
  app.get("/openapi.json", (c) =>
    c.body(openApiDocument(), 200, { "content-type": "application/json; charset=utf-8" }),
  );
  if (deps.prebuildOpenApiAfterMs !== undefined) {
    // After start-up, not during it (start-up time), and before most clients ask.
    setTimeout(() => void openApiDocument(), deps.prebuildOpenApiAfterMs).unref();
  }

  const allowedMethods = allowedMethodsFor(app);
  app.notFound((c) => {
    const allowed = allowedMethods(c.req.path);
    const error =
      allowed.length > 0
        ? new ApiError("method_not_allowed", { headers: { Allow: allowed.join(", ") } })
        : new ApiError("not_found");
    return errorResponse(error, c.get("requestId"));
  });

  app.onError((err, c) => {
    const id = c.get("requestId") ?? "unknown";
    if (isApiError(err)) return errorResponse(err, id);
    if (err instanceof HTTPException && err.status < 500) {
      // Hono's own 4xx (malformed JSON, bad content) keep our body shape.
      const code = err.status === 413 ? "payload_too_large" : "invalid_request";
      return errorResponse(new ApiError(code), id);
    }
    const signal = c.req.raw.signal;
    if (signal.aborted && (err === signal.reason || err.name === "AbortError")) {
      // The client left mid-request (a body that stopped, the idle timeout) and the read
      // failed with the abort: not the server's fault. Nobody receives this answer; the
      // access log says 499. Any other error is still logged below, abort or not.
      return errorResponse(new ApiError("invalid_request"), id);
    }
    if (isStorageError(err) && err.kind === "invalid_text") {
      // A value with U+0000 or a lone surrogate that no schema refused first: the client's
      // error, on either database.
      return errorResponse(
        new ApiError("invalid_request", {
          message: "Text values may not contain U+0000 (NUL) or a lone surrogate.",
        }),
        id,
      );
    }
    if (isDatabaseUnavailable(err)) {
      // An outage, not a bug: fail closed with the pinned 503 and let the client retry,
      // unless a commit went unconfirmed: the change may stand, so no invitation to retry.
      const unknown = isStorageError(err) && err.kind === "commit_unknown";
      // The code tells a full disk from a held lock or a refused connection; never the message,
      // which for PostgreSQL may quote the query's values.
      const { code, errno } = err as { code?: unknown; errno?: unknown };
      deps.logger.warn("database unavailable", {
        request_id: id,
        error: {
          name: err.name,
          ...(typeof code === "string" && { code }),
          ...(code === "ERR_POSTGRES_SERVER_ERROR" &&
            typeof errno === "string" && { sqlstate: errno }),
          // Ours (a query past its deadline, a closed pool, an unconfirmed commit): the kind.
          ...(isStorageError(err) && { kind: err.kind }),
        },
      });
      return errorResponse(
        unknown
          ? new ApiError("service_unavailable", {
              message: "The database did not confirm the change; check before trying again.",
            })
          : new ApiError("service_unavailable", { headers: { "Retry-After": "1" } }),
        id,
      );
    }
    deps.logger.error("unhandled error", {
      request_id: id,
      error: { name: err.name, message: err.message },
    });
    return errorResponse(new ApiError("internal"), id);
  });

  return app;
}
