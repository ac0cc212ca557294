/**
 * The per-request session and revocation check, after local token
 * verification. One indexed query per request, no cache: a revocation written
 * by any instance (logout, password change, disable, revoke-all) is seen by
 * every instance on its next request, well inside the 1 s promise. The query
 * is prepared once ({@link Database.prepareRead}): on SQLite it costs a few
 * µs; on PostgreSQL one round trip (~0.2–1 ms on a private network), which we
 * accept for immediate revocation.
 *
 * Revocation keys on the session id, the user's token version and the global
 * not-before — never on the token string (signatures are malleable).
 * @module
 */
import type { AccessClaims, Principal } from "../http/context.ts";
import type { Database } from "../storage/index.ts";
import { ROLES, type Role } from "./roles.ts";
import { sessionAlive } from "./sessions.ts";
import { SETTING } from "./settings.ts";

/** Why a verified token was refused (for logs; the client sees 401 invalid_token). */
export type SessionRejectReason =
  | "no_session"
  | "wrong_user"
  | "session_ended"
  | "user_disabled"
  | "token_version"
  | "revoked_globally";

/** The outcome of a session check. */
export type SessionCheckResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: SessionRejectReason };

interface Row {
  user_id: string;
  revoked_at: number | null;
  created_at: number;
  last_used_at: number;
  absolute_expires_at: number;
  username: string;
  role: string;
  disabled: number;
  token_version: number;
  not_before: string | null;
}

/** Creates the check for tokens of sessions with idle lifetime `idleMs`. */
export function createSessionCheck(db: Pick<Database, "prepareRead">, idleMs: number) {
  const lookup = db.prepareRead<Row>(`
    SELECT s.user_id, s.revoked_at, s.created_at, s.last_used_at, s.absolute_expires_at,
           u.username, u.role, u.disabled, u.token_version,
           (SELECT value FROM settings WHERE key = $1) AS not_before
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.id = $2`);
  return {
    /** Checks `claims` against the session, the user and the global not-before at `now` (ms). */
    async check(claims: AccessClaims, now: number): Promise<SessionCheckResult> {
      const rows = await lookup(SETTING.tokensNotBefore, claims.sid);
      const row = rows[0];
      if (!row) return { ok: false, reason: "no_session" };
      if (row.user_id !== claims.sub) return { ok: false, reason: "wrong_user" };
      if (!sessionAlive(row, now, idleMs, null)) return { ok: false, reason: "session_ended" };
      if (Number(row.disabled) !== 0) return { ok: false, reason: "user_disabled" };
      if (Number(row.token_version) !== claims.ver) return { ok: false, reason: "token_version" };
      // A session started before the cut-off is over, even one revoke-all's UPDATE could not
      // see (sessionAlive). Its tokens with it: every token belongs to its session. Not `iat`:
      // minted on this instance's clock, it would refuse fresh logins for as long as the
      // revoking host's clock was ahead (logins start their session at the cut-off then).
      if (row.not_before !== null && !(Number(row.created_at) >= Number(row.not_before))) {
        return { ok: false, reason: "revoked_globally" };
      }
      const role: Role = (ROLES as readonly string[]).includes(row.role)
        ? (row.role as Role)
        : "viewer";
      return {
        ok: true,
        // The role comes from the database, so a demotion applies to live tokens at once.
        principal: { userId: row.user_id, username: row.username, role, sessionId: claims.sid },
      };
    },
  };
}

/** The session check's interface. */
export type SessionCheck = ReturnType<typeof createSessionCheck>;
