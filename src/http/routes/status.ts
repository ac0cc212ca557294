/**
 * `GET /v1/admin/status`: what an operator looks at during an incident —
 * circuit breakers, the rate-limit store, the database and maintenance state.
 * Shapes only, never connection strings or credentials.
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.ts";
import { guardResponses } from "./errorSchema.ts";
import { NoQuery } from "./noQuery.ts";

const Breaker = z
  .object({
    name: z.string(),
    state: z.enum(["closed", "open", "half-open", "isolated"]),
    retryAfterMs: z.number().nullable().openapi({ description: "ms until a call is admitted" }),
    openings: z.number(),
    counts: z.object({
      successes: z.number(),
      failures: z.number(),
      rejections: z.number(),
      ignored: z.number(),
      late: z.number(),
    }),
    window: z.union([
      z.object({
        kind: z.literal("consecutive"),
        consecutiveFailures: z.number(),
        threshold: z.number(),
      }),
      z.object({
        kind: z.enum(["count", "time"]),
        calls: z.number(),
        failures: z.number(),
        slowCalls: z.number(),
        failureRate: z.number().nullable(),
        minimumThroughput: z.number(),
      }),
    ]),
  })
  .openapi("BreakerStatus");

const Status = z
  .object({
    breakers: z.array(Breaker),
    rate_limit_store: z.object({ kind: z.string(), state: z.string() }),
    database: z.object({ ok: z.boolean(), state: z.string() }),
    maintenance: z.object({ enabled: z.boolean(), reason: z.string() }),
  })
  .openapi("AdminStatus");

/** The admin status document. */
export type AdminStatus = z.infer<typeof Status>;

const route = (authorize: MiddlewareHandler<AppEnv>) =>
  createRoute({
    method: "get",
    path: "/v1/admin/status",
    operationId: "getStatus",
    tags: ["admin"],
    summary: "Breakers, rate-limit store, database and maintenance state",
    security: [{ bearer: [] }],
    middleware: [authorize] as const,
    request: { query: NoQuery },
    responses: {
      200: { description: "Current status", content: { "application/json": { schema: Status } } },
      ...guardResponses,
    },
  });

/** Registers the status route behind `authorize` (admin only). */
export function registerStatusRoute(
  app: OpenAPIHono<AppEnv>,
  deps: { authorize: MiddlewareHandler<AppEnv>; status: () => Promise<AdminStatus> },
): void {
  app.openapi(route(deps.authorize), async (c) => c.json(await deps.status(), 200));
}
