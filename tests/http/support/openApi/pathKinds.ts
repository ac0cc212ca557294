/**
 * The kinds of route the conformance cases and checks tell apart by path.
 */

/** Paths the rate limiter does not see (health checks). */
export const UNLIMITED_PATHS: ReadonlySet<string> = new Set(["/healthz", "/readyz"]);

/** An admin route: a viewer must be refused (403). */
export const isAdminPath = (path: string) => path.startsWith("/v1/admin/");

/** A market-data route (market, news, alt data): neither auth nor admin. */
export const isMarketPath = (path: string) =>
  path.startsWith("/v1/") && !/^\/v1\/(auth|admin)\//.test(path);
