/**
 * Opaque refresh tokens: 256 random bits, base64url, stored only as their
 * SHA-256 digest, rotated on every use.
 *
 * Rotation is one conditional UPDATE (`… WHERE spent_at IS NULL`) whose
 * affected-row count decides the winner, so two concurrent refreshes with one
 * token mint at most one new pair on SQLite and PostgreSQL alike (PostgreSQL
 * re-checks the WHERE after the row lock; SQLite serializes writers).
 *
 * A spent token presented again more than `graceMs` after it was spent ends
 * the whole session (reuse detection, RFC 9700 §4.14.2). Within the grace —
 * a client retrying a refresh whose answer it lost, or the loser of a race —
 * the answer is the same failure, but the session survives.
 * @module
 */
import type { Database } from "../storage/index.ts";
import { type SessionStore, sessionAlive } from "./sessions.ts";
import { SETTING } from "./settings.ts";

/** SHA-256 of a token, hex: the only form that is stored. */
export const refreshTokenDigest = (token: string): string =>
  new Bun.CryptoHasher("sha256").update(token, "utf8").digest("hex");

/** A new random refresh token (32 bytes → 43 base64url chars). */
export const newRefreshToken = (): string =>
  Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");

/** Why a refresh failed (internal; the client always sees one `invalid_grant`). */
export type RefreshFailure =
  | "malformed"
  | "unknown"
  | "reused"
  | "reused_in_grace"
  | "lost_race"
  | "session_ended"
  | "user_disabled";

/** The outcome of {@link RefreshTokens.rotate}. */
export type RotateResult =
  | { ok: true; token: string; sessionId: string; userId: string }
  | {
      ok: false;
      reason: RefreshFailure;
      sessionId?: string;
      userId?: string;
      /** For `reused`: whether the replay ended a live session (else it had ended already). */
      sessionWasLive?: boolean;
    };

interface Row {
  session_id: string;
  spent_at: number | null;
  user_id: string;
  revoked_at: number | null;
  created_at: number;
  last_used_at: number;
  absolute_expires_at: number;
  disabled: number;
  not_before: string | null;
}

/** Creates the refresh-token service. */
export function createRefreshTokens(db: Database, sessions: SessionStore, graceMs: number) {
  const idleMs = sessions.lifetimes.idleMs;
  return {
    /** Issues the first refresh token of a session. */
    async issue(sessionId: string, now: number): Promise<string> {
      const token = newRefreshToken();
      await db.sql`INSERT INTO refresh_tokens (token_hash, session_id, created_at)
        VALUES (${refreshTokenDigest(token)}, ${sessionId}, ${now})`;
      return token;
    },

    /** Spends `token` and issues its successor, or says why not. */
    async rotate(token: string, now: number): Promise<RotateResult> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { ok: false, reason: "malformed" };
      const digest = refreshTokenDigest(token);
      const rows = await db.sql<Row>`
        SELECT r.session_id, r.spent_at, s.user_id, s.revoked_at, s.created_at, s.last_used_at,
               s.absolute_expires_at, u.disabled,
               (SELECT value FROM settings WHERE key = ${SETTING.tokensNotBefore}) AS not_before
        FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id JOIN users u ON u.id = s.user_id
        WHERE r.token_hash = ${digest}`;
      const row = rows[0];
      if (!row) return { ok: false, reason: "unknown" };
      const ids = { sessionId: row.session_id, userId: row.user_id };
      if (row.spent_at !== null) {
        if (now - Number(row.spent_at) <= graceMs)
          return { ok: false, reason: "reused_in_grace", ...ids };
        // A theft signal whether or not the session is still live (DESIGN §6): the session
        // ends, and the first such replay per session is reported (and so audited). Later
        // replays are refused quietly, so one stolen token cannot grow the audit log.
        const revoked = await sessions.revoke(row.session_id, "token_reuse", now);
        const first = await db.sql`UPDATE sessions SET reuse_reported_at = ${now}
          WHERE id = ${row.session_id} AND reuse_reported_at IS NULL RETURNING id`;
        if (first.length === 0) return { ok: false, reason: "session_ended", ...ids };
        return { ok: false, reason: "reused", sessionWasLive: revoked, ...ids };
      }
      if (Number(row.disabled) !== 0) return { ok: false, reason: "user_disabled", ...ids };
      if (!sessionAlive(row, now, idleMs, row.not_before)) {
        return { ok: false, reason: "session_ended", ...ids };
      }

      const next = newRefreshToken();
      const nextDigest = refreshTokenDigest(next);
      const won = await db
        .transaction(async (tx) => {
          const spent =
            await tx.sql`UPDATE refresh_tokens SET spent_at = ${now}, replaced_by = ${nextDigest}
          WHERE token_hash = ${digest} AND spent_at IS NULL RETURNING token_hash`;
          if (spent.length !== 1) return false;
          // The session may have ended between the read and here (logout racing a refresh).
          const live = await tx.sql`UPDATE sessions SET last_used_at = ${now}
          WHERE id = ${row.session_id} AND revoked_at IS NULL RETURNING id`;
          if (live.length !== 1) throw new SessionEndedDuringRotation();
          await tx.sql`INSERT INTO refresh_tokens (token_hash, session_id, created_at)
          VALUES (${nextDigest}, ${row.session_id}, ${now})`;
          return true;
        })
        .catch((e: unknown) => {
          if (e instanceof SessionEndedDuringRotation) return "ended" as const;
          throw e;
        });
      if (won === "ended") return { ok: false, reason: "session_ended", ...ids };
      if (!won) return { ok: false, reason: "lost_race", ...ids };
      return { ok: true, token: next, ...ids };
    },
  };
}

/** Rolls the rotation back when the session ended mid-way; never leaves this module. */
class SessionEndedDuringRotation extends Error {}

/** The refresh-token service's interface. */
export type RefreshTokens = ReturnType<typeof createRefreshTokens>;
