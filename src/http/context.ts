/**
 * The per-request variables every middleware and route can read, typed once
 * so `c.get("principal")` is checked everywhere.
 * @module
 */
import type { Role } from "../auth/roles.ts";
import type { Logger } from "../telemetry/logger.ts";

/** Claims of an access token whose signature and claims verified locally. */
export interface AccessClaims {
  /** User id. */
  sub: string;
  /** Session id. */
  sid: string;
  role: Role;
  iat: number;
  exp: number;
  jti: string;
  /** User token version at issue time (revocation on password change / disable). */
  ver: number;
}

/** An authenticated caller after the session/revocation check. */
export interface Principal {
  userId: string;
  username: string;
  role: Role;
  sessionId: string;
}

/** Hono environment of the app. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** Client address per `TRUST_PROXY` (already normalized). */
    clientIp: string;
    logger: Logger;
    /** Set by local token verification when a valid bearer token was sent. */
    claims?: AccessClaims;
    /** Set when a bearer token was sent but failed local verification. */
    tokenRejected?: boolean;
    /** Set by the session check on routes that require authentication. */
    principal?: Principal;
  };
}
