/**
 * Audit event vocabulary (DESIGN §6, OWASP Logging Vocabulary names) and the
 * event shapes.
 * @module
 */

/** Event types pinned by DESIGN §6. Later waves append their own. */
export const AUDIT_EVENT_TYPES = [
  "authn_login_success",
  "authn_login_fail",
  "authn_login_lock",
  "authn_token_refresh",
  "authn_token_reuse",
  "session_logout",
  "authn_password_change",
  "user_created",
  "user_updated",
  "user_disabled",
  "authz_revoke_all",
  "maintenance_on",
  "maintenance_off",
  "sys_startup",
  "sys_shutdown",
] as const;

/** A known event type. */
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Whether the audited action succeeded. */
export type AuditOutcome = "success" | "failure";

/** What a caller appends. Absent optional fields are stored as null. */
export interface AuditEventInput {
  type: AuditEventType;
  outcome: AuditOutcome;
  /** User id of whoever acted; null for anonymous callers and the system. */
  actor?: string | null;
  /** What the event concerns (a user or session id, a setting name). */
  target?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  /** Small JSON object; credential-like keys and values are redacted before storage. */
  details?: Record<string, unknown>;
}

/** A stored event. `at` is UTC epoch milliseconds. */
export interface AuditEvent {
  seq: number;
  at: number;
  type: string;
  actor: string | null;
  target: string | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** The JSON shape of an event in `GET /v1/admin/audit` (`at` as ISO-8601 UTC). */
export interface AuditEventJson {
  seq: number;
  type: string;
  at: string;
  actor: string | null;
  target: string | null;
  outcome: string;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

/** Renders an event for the API. The hashes stay internal (verify reports on them). */
export function toAuditEventJson(event: AuditEvent): AuditEventJson {
  return {
    seq: event.seq,
    type: event.type,
    at: new Date(event.at).toISOString(),
    actor: event.actor,
    target: event.target,
    outcome: event.outcome,
    ip: event.ip,
    user_agent: event.userAgent,
    request_id: event.requestId,
    details: event.details,
  };
}
