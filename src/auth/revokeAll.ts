/**
 * Revoke-all, the emergency stop: every session of every user ends and every
 * access token issued until now is refused (the global not-before), with its
 * audit event in the same transaction. Shared by `POST /v1/admin/revoke-all`
 * and `trading-server revoke-all`, which works with the server stopped (after
 * restoring a backup, before the restored sessions can be used).
 * @module
 */
import type { Database } from "../storage/index.ts";
import type { AuditRecorder, AuthAuditEvent } from "./auditTrail.ts";
import { lockForRevokeAll } from "./revokeAllLock.ts";
import { revokeEverySession } from "./sessions.ts";
import { readSetting, SETTING, writeSetting } from "./settings.ts";

/** Who asked: the caller of the route, or nobody signed in (the command line). */
export type RevokeAllOrigin = Pick<AuthAuditEvent, "actor" | "ip" | "userAgent" | "requestId">;

/** Ends everything at `now`; resolves with the number of sessions that were live. */
export async function revokeAll(
  db: Database,
  now: number,
  audit: AuditRecorder,
  origin: RevokeAllOrigin,
  details: Record<string, unknown> = {},
): Promise<number> {
  return db.transaction(async (tx) => {
    // First: logins in flight finish before the sessions are ended (revokeAllLock.ts).
    await lockForRevokeAll(tx);
    // Never moved back: a later revoke-all from a host whose clock is behind must not
    // shorten an earlier one's reach.
    const earlier = Number(await readSetting(tx, SETTING.tokensNotBefore));
    const cutoff = Number.isFinite(earlier) ? Math.max(earlier, now) : now;
    await writeSetting(tx, SETTING.tokensNotBefore, String(cutoff), now);
    const ended = await revokeEverySession(tx, "revoke_all", now);
    await audit({
      type: "authz_revoke_all",
      target: null,
      outcome: "success",
      ...origin,
      details: { sessions_ended: ended, ...details },
    });
    return ended;
  });
}
