/**
 * The hash-chained audit log: append-only events with a SHA-256 chain over a
 * canonical encoding, queries newest first, and verification that names the
 * first bad row.
 * @module
 */

export type { ForeignRows } from "./append.ts";
export { canonicalJson, GENESIS_HASH, type HashedRecord, hashRecord } from "./canonical.ts";
export { AuditError, type AuditErrorKind, isAuditError } from "./errors.ts";
export {
  AUDIT_EVENT_TYPES,
  type AuditEvent,
  type AuditEventInput,
  type AuditEventJson,
  type AuditEventType,
  type AuditOutcome,
  toAuditEventJson,
} from "./events.ts";
export { type AuditLog, type AuditLogOptions, createAuditLog } from "./log.ts";
export {
  type AuditListFilter,
  type AuditPage,
  type AuditQuery,
  decodeCursor,
  encodeCursor,
  MAX_QUERY_LIMIT,
} from "./query.ts";
export { REDACTED, sanitizeDetails } from "./redaction.ts";
export type { VerifyFailureReason, VerifyResult } from "./verify.ts";
