/**
 * Bearer authentication in two steps (DESIGN §6, order of a request):
 *
 * 1. {@link verifyAccessToken}, app-level on `/v1/*`: verifies a presented
 *    token locally (signature and claims, no I/O) so the rate limiter can key
 *    on the user. It never rejects by itself.
 * 2. {@link requireAuth}, per route: 401 without a usable token, then the
 *    session/revocation check, then the role (403).
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { AuthService } from "../../auth/index.ts";
import { type Role, roleAtLeast } from "../../auth/roles.ts";
import type { AppEnv } from "../context.ts";
import { ApiError, BEARER_CHALLENGE as REALM } from "../errors.ts";

/** The pinned 401 when no token was sent. */
export const missingToken = () =>
  new ApiError("unauthorized", { headers: { "WWW-Authenticate": REALM } });

/** The pinned 401 when a token was sent but is malformed, invalid, expired or revoked. */
export const invalidToken = () =>
  new ApiError("unauthorized", {
    headers: { "WWW-Authenticate": `${REALM}, error="invalid_token"` },
  });

/** RFC 6750 §2.1: `Bearer` (any case), one run of spaces, the token, nothing else. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

type Deps = Pick<AuthService, "tokens">;

function verifyInto(c: Parameters<MiddlewareHandler<AppEnv>>[0], deps: Deps): void {
  const header = c.req.header("authorization");
  // No bearer token sent (another scheme such as Basic or Token, or `Bearer` alone): a
  // request without credentials, answered with the bare challenge (DESIGN §6, RFC 6750 §3.1).
  if (header === undefined || !/^bearer\s+\S/i.test(header)) return;
  const token = BEARER.exec(header)?.[1];
  const result = token === undefined ? undefined : deps.tokens.verify(token);
  if (result?.ok) c.set("claims", result.claims);
  else c.set("tokenRejected", true);
}

/** App-level: sets `claims` or `tokenRejected` when an Authorization header is present. */
export function verifyAccessToken(deps: Deps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    verifyInto(c, deps);
    await next();
  };
}

/**
 * Route-level: requires a valid, unrevoked token of a live session whose user
 * has at least `role`; sets `principal`. Runs the local verification itself
 * when the app-level step was not mounted on this path.
 */
export function requireAuth(
  role: Role,
  deps: Pick<AuthService, "tokens" | "sessionCheck" | "clock">,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.get("claims") === undefined && c.get("tokenRejected") === undefined) verifyInto(c, deps);
    const claims = c.get("claims");
    if (!claims) throw c.get("tokenRejected") ? invalidToken() : missingToken();
    const result = await deps.sessionCheck.check(claims, deps.clock.now());
    if (!result.ok) {
      c.get("logger")?.debug("token refused by session check", { reason: result.reason });
      throw invalidToken();
    }
    if (!roleAtLeast(result.principal.role, role)) throw new ApiError("forbidden");
    c.set("principal", result.principal);
    await next();
  };
}
