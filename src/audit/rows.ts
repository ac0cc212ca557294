/**
 * Mapping between `audit_events` rows and {@link AuditEvent}, and the hashed
 * record of a row.
 * @module
 */
import type { HashedRecord } from "./canonical.ts";
import type { AuditEvent } from "./events.ts";

/** An `audit_events` row as read from either dialect. */
export interface AuditRow {
  seq: number;
  at: number;
  type: string;
  actor: string | null;
  target: string | null;
  outcome: string;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

/** Parses the stored details text; undefined when it is not a JSON object. */
export function parseDetails(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The record whose canonical encoding a row's hash covers; undefined if the row is malformed. */
export function hashedRecordOf(row: AuditRow): HashedRecord | undefined {
  const details = parseDetails(row.details);
  if (!details) return undefined;
  return {
    seq: row.seq,
    at: row.at,
    type: row.type,
    actor: row.actor,
    target: row.target,
    outcome: row.outcome,
    ip: row.ip,
    user_agent: row.user_agent,
    request_id: row.request_id,
    details,
    prev_hash: row.prev_hash,
  };
}

/** Converts a row to an event (malformed details read as an empty object). */
export function eventOf(row: AuditRow): AuditEvent {
  return {
    seq: row.seq,
    at: row.at,
    type: row.type,
    actor: row.actor,
    target: row.target,
    outcome: row.outcome,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    details: parseDetails(row.details) ?? {},
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
