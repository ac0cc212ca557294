/**
 * The audit event of a refused refresh, when it calls for one: a spent token
 * replayed after the grace (the session is revoked: theft, RFC 9700 §4.14.2),
 * or, once per session and grace window, within it (the session stays, but
 * when a thief refreshed first this refused replay is the victim's, and was
 * its only trace). Both are `authn_token_reuse`; `details.action` tells them
 * apart. Runs inside the refresh's transaction.
 * @module
 */
import type { Database } from "../storage/index.ts";
import { type AuditRecorder, fromOrigin, type RequestOrigin } from "./auditTrail.ts";
import type { GraceReplays } from "./graceReplays.ts";
import type { RotateResult } from "./refreshTokens.ts";

/** What {@link auditRefusedRefresh} writes with. */
export interface RefusedRefreshDeps {
  db: Database;
  audit: AuditRecorder;
  graceReplays: GraceReplays;
  now: number;
}

/**
 * Audits `result` when it is a replay. An event that cannot be written never undoes the
 * refusal or the revocation (the append is a savepoint of the transaction); a reuse then
 * clears its report mark, so a later replay reports the theft again.
 */
export async function auditRefusedRefresh(
  deps: RefusedRefreshDeps,
  result: Extract<RotateResult, { ok: false }>,
  origin: RequestOrigin,
): Promise<void> {
  const { db, audit, graceReplays, now } = deps;
  const event = (action: string) =>
    audit({
      type: "authn_token_reuse",
      actor: result.userId ?? null,
      target: result.sessionId ?? null,
      outcome: "failure",
      ...fromOrigin(origin),
      details: { action },
    }).then(
      () => true,
      () => false,
    );
  if (result.reason === "reused") {
    const reported = await event(
      result.sessionWasLive ? "session_revoked" : "session_already_ended",
    );
    if (!reported && result.sessionId !== undefined) {
      await db.sql`UPDATE sessions SET reuse_reported_at = NULL WHERE id = ${result.sessionId}`;
    }
  } else if (
    result.reason === "reused_in_grace" &&
    result.sessionId !== undefined &&
    graceReplays.first(result.sessionId, now)
  ) {
    if (!(await event("refused_within_grace"))) graceReplays.forget(result.sessionId);
  }
}
