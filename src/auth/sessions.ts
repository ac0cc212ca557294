/**
 * Sessions: one row per login, with idle and absolute lifetimes. A session
 * ends (logout, password change, disable, revoke-all, refresh-token reuse)
 * by setting `revoked_at`; its refresh tokens and access tokens die with it
 * because both are checked against this row.
 * @module
 */

import { recordedUserAgent } from "../security/recordedUserAgent.ts";
import type { Executor } from "../storage/index.ts";

/** Why a session ended (stored, and audited). */
export type RevokeReason =
  | "logout"
  | "password_change"
  | "user_disabled"
  | "revoke_all"
  | "token_reuse"
  | "admin_reset"
  | "session_limit";

/**
 * Live sessions one user may hold; a login beyond it ends the least recently used. A
 * client that logs in on every run and never logs out (a script, a bot) otherwise keeps
 * every session and its refresh-token rows alive until the idle lifetime, out of the
 * pruning's reach.
 */
export const MAX_LIVE_SESSIONS = 100;

/** Lifetimes, in ms. */
export interface SessionLifetimes {
  /** `SESSION_IDLE_TTL`: no refresh for this long ends the session. */
  idleMs: number;
  /** `SESSION_ABSOLUTE_TTL`: the session ends this long after login whatever happens. */
  absoluteMs: number;
}

/** Where a session came from (for the audit trail). */
export interface SessionOrigin {
  ip: string;
  userAgent?: string | undefined;
}

/**
 * True when a session row is still usable at `now`: not revoked, within its
 * idle and absolute lifetimes, and started after the global not-before
 * (`notBefore`, the revoke-all setting's text, or null when none was made).
 *
 * The not-before is checked here, not left to revoke-all's UPDATE alone: a
 * login whose transaction was still open when that UPDATE ran inserts a
 * session the UPDATE never saw (PostgreSQL, read committed), and its start
 * time is before the cut-off. A malformed setting ends every session.
 */
export function sessionAlive(
  row: {
    revoked_at: number | null;
    created_at: number;
    last_used_at: number;
    absolute_expires_at: number;
  },
  now: number,
  idleMs: number,
  notBefore: string | null,
): boolean {
  return (
    row.revoked_at === null &&
    now < Number(row.absolute_expires_at) &&
    now < Number(row.last_used_at) + idleMs &&
    (notBefore === null || Number(row.created_at) >= Number(notBefore))
  );
}

/**
 * Ends every live session of a user; returns how many were live. Standalone
 * so a transaction outside the auth service (the bootstrap admin's reset) can
 * end them in the same statement set as the password change.
 */
export async function revokeSessionsOfUser(
  db: Executor,
  userId: string,
  reason: RevokeReason,
  now: number,
): Promise<number> {
  return endLiveSessions(db, "user_id = $3 AND revoked_at IS NULL", [now, reason, userId]);
}

/** Ends every live session of every user; returns how many were live. */
export async function revokeEverySession(
  db: Executor,
  reason: RevokeReason,
  now: number,
): Promise<number> {
  return endLiveSessions(db, "revoked_at IS NULL", [now, reason]);
}

/**
 * Ends the sessions `where` selects ($1 the time, $2 the reason). On PostgreSQL their rows are
 * locked first in id order: a plain UPDATE locks them in whatever order it scans, and revoke-all
 * deadlocked with a disable or a password change ending one user's sessions (40P01, a 503 for
 * the loser; a concurrency probe). The session cap's `endBeyond` does not need it: it runs under
 * its user's row lock and the revoke-all lock, which keep every other multi-row writer out.
 */
async function endLiveSessions(db: Executor, where: string, params: unknown[]): Promise<number> {
  const target =
    db.dialect === "postgres"
      ? `id IN (SELECT id FROM sessions WHERE ${where} ORDER BY id FOR NO KEY UPDATE) AND revoked_at IS NULL`
      : where;
  const rows = await db.unsafe(
    `UPDATE sessions SET revoked_at = $1, revoked_reason = $2 WHERE ${target} RETURNING id`,
    params,
  );
  return rows.length;
}

/** Data access for sessions. */
export function createSessionStore(db: Executor, lifetimes: SessionLifetimes) {
  return {
    lifetimes,
    /** Starts a session; returns its id. */
    async create(userId: string, origin: SessionOrigin, now: number): Promise<string> {
      const id = crypto.randomUUID();
      const ua = recordedUserAgent(origin.userAgent);
      await db.sql`INSERT INTO sessions (id, user_id, created_at, last_used_at, absolute_expires_at, ip, user_agent)
        VALUES (${id}, ${userId}, ${now}, ${now}, ${now + lifetimes.absoluteMs}, ${origin.ip}, ${ua})`;
      return id;
    },
    /**
     * Ends the user's live sessions beyond `keep`, the session `current` (just started) and
     * the most recently used others staying; returns how many ended. "Live" as
     * {@link sessionAlive} sees it, bar the global not-before. By last use, not by start: a
     * browser logged in first and refreshing keeps its session over idle scripts' ones.
     */
    async endBeyond(userId: string, current: string, keep: number, now: number): Promise<number> {
      const idleCutoff = now - lifetimes.idleMs;
      // LIMIT before OFFSET: SQLite has no OFFSET alone, and no user holds a million sessions.
      // The outer `revoked_at IS NULL`: a session a concurrent login ended first is not redone.
      const rows =
        await db.sql`UPDATE sessions SET revoked_at = ${now}, revoked_reason = 'session_limit'
        WHERE revoked_at IS NULL AND id IN (
          SELECT id FROM sessions
          WHERE user_id = ${userId} AND revoked_at IS NULL AND id <> ${current}
            AND absolute_expires_at > ${now} AND last_used_at > ${idleCutoff}
          ORDER BY last_used_at DESC, created_at DESC, id DESC
          LIMIT 1000000 OFFSET ${Math.max(0, keep - 1)})
        RETURNING id`;
      return rows.length;
    },
    /** Ends one session. Returns true when it was live. */
    async revoke(id: string, reason: RevokeReason, now: number): Promise<boolean> {
      const rows = await db.sql`UPDATE sessions SET revoked_at = ${now}, revoked_reason = ${reason}
        WHERE id = ${id} AND revoked_at IS NULL RETURNING id`;
      return rows.length > 0;
    },
    /** Ends every session of a user; returns how many were live. */
    revokeAllOfUser: (userId: string, reason: RevokeReason, now: number): Promise<number> =>
      revokeSessionsOfUser(db, userId, reason, now),
    /**
     * One bounded step of deleting sessions that ended before `cutoff` (revoked, or past their
     * idle or absolute lifetime): up to `limit` of their refresh tokens; then, only when fewer
     * were left, up to `limit` of those sessions that have no refresh token left. No statement
     * deletes more than `limit` rows: a session's tokens are never left to ON DELETE CASCADE,
     * which would delete all of one busy session's rotations in one statement. On PostgreSQL a
     * row another transaction holds is skipped, not waited for: an expired session that
     * revoke-all is ending (it locks in id order) could otherwise deadlock with this step;
     * the next step takes it.
     */
    async pruneEndedStep(
      cutoff: number,
      limit: number,
    ): Promise<{ refreshTokens: number; sessions: number }> {
      const skipLocked = db.dialect === "postgres" ? " FOR UPDATE SKIP LOCKED" : "";
      const ended = "revoked_at < $1 OR absolute_expires_at < $1 OR last_used_at < $2";
      const params = [cutoff, cutoff - lifetimes.idleMs, limit];
      const tokens = await db.unsafe<{ session_id: string }>(
        `DELETE FROM refresh_tokens WHERE token_hash IN (
          SELECT token_hash FROM refresh_tokens WHERE session_id IN (
            SELECT id FROM sessions WHERE ${ended})
          LIMIT $3${skipLocked})
        RETURNING session_id`,
        params,
      );
      if (tokens.length >= limit) return { refreshTokens: tokens.length, sessions: 0 };
      const sessions = await db.unsafe<{ id: string }>(
        `DELETE FROM sessions WHERE id IN (
          SELECT id FROM sessions
          WHERE (${ended})
            AND NOT EXISTS (SELECT 1 FROM refresh_tokens WHERE session_id = sessions.id)
          LIMIT $3${skipLocked})
        RETURNING id`,
        params,
      );
      return { refreshTokens: tokens.length, sessions: sessions.length };
    },
  };
}

/** The session store's interface. */
export type SessionStore = ReturnType<typeof createSessionStore>;
