/**
 * Emergency maintenance gate, app-level after the rate limiter: while on,
 * every `/v1` route except `/v1/auth/*` and `/v1/admin/*` answers 503
 * `maintenance` — before any session lookup, so no token is needed to learn
 * it (DESIGN §6). The state is shared through the database and cached ≤ 1 s.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { Maintenance } from "../../auth/index.ts";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";

/** Paths maintenance never closes: operators must still log in and switch it off. */
export const EXEMPT_FROM_MAINTENANCE = /^\/v1\/(auth|admin)(\/|$)/;

/** Blocks `/v1` traffic (except auth and admin) while maintenance is on. */
export function maintenanceGate(deps: { maintenance: Maintenance }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const path = c.req.path;
    if (path.startsWith("/v1/") && !EXEMPT_FROM_MAINTENANCE.test(path)) {
      const state = await deps.maintenance.get();
      if (state.enabled) {
        throw new ApiError("maintenance", { headers: { "Retry-After": "60" } });
      }
    }
    await next();
  };
}
