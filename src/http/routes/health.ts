/**
 * Liveness and readiness. `/healthz` only says the process serves HTTP (for
 * restarts); `/readyz` checks the dependencies that guard access (for load
 * balancing), and names the one that failed without any connection details.
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../context.ts";

/** The state of one dependency. */
export interface ComponentState {
  ok: boolean;
  /** Short machine-readable state (`ready`, `unavailable`, `not_configured`, …). */
  state: string;
}

/** Readiness of every dependency, by component name. */
export type ReadinessProbe = () => Promise<Record<string, ComponentState>>;

const Component = z.object({ ok: z.boolean(), state: z.string() });
const Ready = z
  .object({ status: z.enum(["ready", "unavailable"]), components: z.record(z.string(), Component) })
  .openapi("Readiness");

const healthz = createRoute({
  method: "get",
  path: "/healthz",
  operationId: "getHealth",
  tags: ["health"],
  summary: "Liveness",
  responses: {
    200: {
      description: "The process is serving",
      content: {
        "application/json": { schema: z.object({ status: z.literal("ok") }).openapi("Health") },
      },
    },
  },
});

const readyz = createRoute({
  method: "get",
  path: "/readyz",
  operationId: "getReadiness",
  tags: ["health"],
  summary: "Readiness: database and (if configured) Redis answer",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: Ready } } },
    503: { description: "A dependency failed", content: { "application/json": { schema: Ready } } },
  },
});

/** Registers `/healthz` and `/readyz`. */
export function registerHealthRoutes(app: OpenAPIHono<AppEnv>, probe: ReadinessProbe): void {
  app.openapi(healthz, (c) => c.json({ status: "ok" as const }, 200));
  app.openapi(readyz, async (c) => {
    const components = await probe();
    const ok = Object.values(components).every((s) => s.ok);
    return c.json(
      { status: ok ? ("ready" as const) : ("unavailable" as const), components },
      ok ? 200 : 503,
    );
  });
}
