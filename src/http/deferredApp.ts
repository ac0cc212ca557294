/**
 * The listener's handler while start-up finishes. The port is bound once the
 * security gate and the schema check have passed; loading the routes (their
 * zod schemas and OpenAPI metadata), connecting the rate-limit store and
 * creating the providers happen after, and are most of start-up.
 *
 * Until the full app is ready, `GET /healthz` answers from a small app with
 * the same request id, security headers and access log (liveness: the process
 * serves HTTP). Every other request — `/readyz` included — waits for the full
 * app, up to a bound. No request is answered by a half-built server: one that
 * outwaits the bound, or arrives after the build failed, gets the pinned 503
 * `service_unavailable`.
 * @module
 */
import { Hono, type MiddlewareHandler } from "hono";
import type { Environment } from "../config/index.ts";
import type { Logger } from "../telemetry/logger.ts";
import type { AppEnv } from "./context.ts";
import { ApiError, errorResponse, isApiError } from "./errors.ts";
import { accessLog } from "./middleware/accessLog.ts";
import { requestId } from "./middleware/requestId.ts";
import { securityHeaders } from "./middleware/securityHeaders.ts";
import { singleHost } from "./middleware/singleHost.ts";
import { tracing } from "./middleware/tracing.ts";
import { rawPathOf } from "./requestPath.ts";
import type { FetchHandler } from "./server.ts";

/** Options of {@link deferApp}. */
export interface DeferredAppOptions {
  environment: Environment;
  logger: Logger;
  /** The same client-IP middleware the full app uses (for the access log). */
  clientIp: MiddlewareHandler<AppEnv>;
  /** How long a request may wait for the full app before a 503. */
  maxWaitMs: number;
  /** Mount the span middleware, as the full app does when a tracer provider is registered. */
  tracing: boolean;
}

/** A handler that becomes the full app once {@link DeferredApp.ready} is called. */
export interface DeferredApp {
  fetch: FetchHandler;
  /** From now on every request, waiting ones included, goes to `app`. */
  ready(app: FetchHandler): void;
  /** The build failed: waiting and later requests get a 503 until the process exits. */
  failed(): void;
}

/** Creates the start-up handler. */
export function deferApp(options: DeferredAppOptions): DeferredApp {
  let app: FetchHandler | undefined;
  let buildFailed = false;
  const built = Promise.withResolvers<FetchHandler | undefined>();
  const unavailable = () =>
    new ApiError("service_unavailable", { headers: { "Retry-After": "1" } });

  // The small app answers /healthz and every 503 of this phase, so both go through the
  // same request id, span, access log and security headers as the full app's answers.
  const early = new Hono<AppEnv>();
  early.use("*", requestId());
  early.use("*", options.clientIp);
  if (options.tracing) early.use("*", tracing());
  early.use("*", accessLog(options.logger));
  early.use("*", securityHeaders(options.environment));
  early.use("*", singleHost());
  early.get("/healthz", (c) => {
    if (buildFailed) throw unavailable();
    return c.json({ status: "ok" }, 200);
  });
  early.all("*", () => {
    throw unavailable();
  });
  early.onError((err, c) =>
    errorResponse(isApiError(err) ? err : new ApiError("internal"), c.get("requestId")),
  );

  const wait: FetchHandler = async (req, env) => {
    let timer: Timer | undefined;
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, options.maxWaitMs);
    });
    const target = await Promise.race([built.promise, timedOut]);
    clearTimeout(timer);
    return target ? target(req, env) : early.fetch(req, env);
  };

  return {
    fetch(req, env) {
      if (app) return app(req, env);
      if ((req.method === "GET" || req.method === "HEAD") && rawPathOf(req.url) === "/healthz") {
        return early.fetch(req, env);
      }
      return wait(req, env);
    },
    ready(target) {
      app = target;
      built.resolve(target);
    },
    failed() {
      buildFailed = true;
      app = early.fetch;
      built.resolve(undefined);
    },
  };
}
