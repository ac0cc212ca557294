/**
 * The auth events we audit and the shape we hand to the audit log. Never a
 * password, hash or token: only ids, the outcome and small details.
 * @module
 */
import type { AuditLog } from "../audit/index.ts";
import { recordedUserAgent } from "../security/recordedUserAgent.ts";

/** Event types of auth (DESIGN §6, pinned names). */
export type AuthEventType =
  | "authn_login_success"
  | "authn_login_fail"
  | "authn_login_lock"
  | "authn_token_refresh"
  | "authn_token_reuse"
  | "session_logout"
  | "authn_password_change"
  | "user_created"
  | "user_updated"
  | "user_disabled"
  | "authz_revoke_all"
  | "maintenance_on"
  | "maintenance_off";

/** Who did what to whom, from where. */
export interface AuthAuditEvent {
  type: AuthEventType;
  /** User id of the caller; null when anonymous. */
  actor: string | null;
  /** What the event is about (a user or session id); null when nothing identifiable. */
  target: string | null;
  outcome: "success" | "failure";
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details?: Record<string, unknown>;
}

/** Writes one audit event. */
export type AuditRecorder = (event: AuthAuditEvent) => Promise<void>;

/** Records auth events into the hash-chained audit log. */
export const recordTo =
  (log: Pick<AuditLog, "append">): AuditRecorder =>
  async (event) => {
    await log.append(event);
  };

/** Request facts every audit event carries. */
export interface RequestOrigin {
  ip: string;
  userAgent?: string | undefined;
  requestId: string;
}

/** Fills the request fields of an event from `origin`. */
export const fromOrigin = (
  origin: RequestOrigin,
): Pick<AuthAuditEvent, "ip" | "userAgent" | "requestId"> => ({
  ip: origin.ip,
  userAgent: recordedUserAgent(origin.userAgent),
  requestId: origin.requestId,
});
