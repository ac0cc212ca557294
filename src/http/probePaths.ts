/**
 * The paths a load balancer probes (`routes/health.ts`). Their GET is never
 * rate-limited (a probe must not fail closed with the limiter; `/readyz`
 * reports it) and, when it passes, is logged at `debug` only. A module of its
 * own: the start-up app and the access log need the names, not the routes.
 * @module
 */

/** `/healthz` (liveness) and `/readyz` (readiness). */
export const PROBE_PATHS: ReadonlySet<string> = new Set(["/healthz", "/readyz"]);
