/**
 * An app built with test routes that throw each kind of error, for the
 * in-process suites of the assembled app (app.test.ts, accessLog.test.ts);
 * and {@link appWithRoutes} for suites of one feature's routes.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { createApp, type RouteRegistrar } from "../../../src/http/app.ts";
import type { AppEnv } from "../../../src/http/context.ts";
import { ApiError } from "../../../src/http/errors.ts";
import { strictJsonText } from "../../../src/http/middleware/strictJsonText.ts";
import { StorageError } from "../../../src/storage/errors.ts";
import { createLogger, type Logger, silentLogger } from "../../../src/telemetry/logger.ts";

/** Sets the client address every test request comes from. */
export const setIp: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("clientIp", "203.0.113.9");
  await next();
};

/** The assembled app with only `routes` (production defaults, no /v1 middleware). */
export function appWithRoutes(routes: RouteRegistrar[], logger: Logger = silentLogger) {
  return createApp({
    config: { environment: "production", BODY_LIMIT: 1024 },
    logger,
    version: "test",
    readiness: async () => ({}),
    clientIp: setIp,
    v1Middleware: [],
    routes,
  });
}

/** Abort controllers of in-flight test requests, by request id. */
export const hangups = new Map<string, AbortController>();

/** The app under test; `lines` collects its log lines. */
export function build(
  options: {
    environment?: "development" | "production";
    lines?: string[];
    /** The logger's level (default info). */
    level?: "debug" | "info";
    prebuildOpenApiAfterMs?: number;
  } = {},
) {
  const lines = options.lines ?? [];
  return createApp({
    ...(options.prebuildOpenApiAfterMs !== undefined && {
      prebuildOpenApiAfterMs: options.prebuildOpenApiAfterMs,
    }),
    config: { environment: options.environment ?? "production", BODY_LIMIT: 1024 },
    logger: createLogger(options.level ?? "info", (line) => lines.push(line)),
    version: "test",
    readiness: async () => ({ database: { ok: true, state: "ready" } }),
    clientIp: setIp,
    v1Middleware: [],
    routes: [
      (app) => {
        app.openapi(
          createRoute({
            method: "post",
            path: "/v1/echo",
            middleware: [strictJsonText()] as const,
            request: {
              body: {
                content: {
                  "application/json": { schema: z.object({ name: z.string().max(10) }) },
                },
              },
            },
            responses: { 200: { description: "echo" } },
          }),
          (c) => c.json({ name: c.req.valid("json").name }, 200),
        );
        app.get("/v1/maintenance", () => {
          throw new ApiError("maintenance", { headers: { "Retry-After": "60" } });
        });
        app.get("/v1/shed", (c) => {
          // Under hangUp(), the client has left by the time the load is shed.
          hangups.get(c.req.header("x-request-id") ?? "")?.abort();
          throw new ApiError("service_unavailable", {
            headers: { "Retry-After": "1" },
            shed: true,
          });
        });
        app.get("/v1/boom", () => {
          throw new Error("database password is hunter2");
        });
        app.get("/v1/hangup", (c) => {
          // The client leaves while the handler runs; the provider call then fails.
          hangups.get(c.req.header("x-request-id") ?? "")?.abort();
          throw new ApiError("provider_unavailable");
        });
        app.get("/v1/hangup-read", (c) => {
          // The client stops sending its body: reading it fails with an AbortError.
          hangups.get(c.req.header("x-request-id") ?? "")?.abort();
          throw new DOMException("The operation was aborted.", "AbortError");
        });
        app.get("/v1/hangup-bug", (c) => {
          // A real fault that happens to come after the client left.
          hangups.get(c.req.header("x-request-id") ?? "")?.abort();
          throw new TypeError("cannot read properties of undefined");
        });
        app.get("/v1/db-down", () => {
          throw new StorageError("timeout", "the database did not answer within 5000 ms");
        });
        app.get("/v1/disk-full", () => {
          throw Object.assign(new Error("database or disk is full"), {
            name: "SQLiteError",
            code: "SQLITE_FULL",
          });
        });
        app.get("/v1/commit-unknown", () => {
          throw new StorageError("commit_unknown", "the database did not confirm a commit");
        });
        app.get("/v1/hangup-refused", (c) => {
          // A refusal whose client already left (connect, send, close: a cheap flood).
          hangups.get(c.req.header("x-request-id") ?? "")?.abort();
          throw new ApiError("rate_limited", { headers: { "Retry-After": "3" } });
        });
        app.get("/v1/teapot", () => {
          throw new ApiError("rate_limited", { headers: { "Retry-After": "3" } });
        });
      },
    ],
  });
}

/** The pinned error body of a response. */
export const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string; request_id: string } }).error;
