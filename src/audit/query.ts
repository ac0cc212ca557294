/**
 * Reading the log newest first, with filters and an opaque cursor.
 *
 * The cursor is `base64url("seq:<n>")` of the last event returned; the next
 * page holds events with a smaller seq. It is stable while events are being
 * appended (new events have larger seqs and never shift a page).
 * @module
 */
import type { Database } from "../storage/index.ts";
import { AuditError } from "./errors.ts";
import type { AuditEvent } from "./events.ts";
import { MAX_SEQ } from "./nextSeq.ts";
import { type AuditRow, eventOf } from "./rows.ts";

/** Largest page {@link queryEvents} returns. */
export const MAX_QUERY_LIMIT = 500;

/** Filters of a query. Times are UTC epoch ms: `since` inclusive, `until` exclusive. */
export interface AuditQuery {
  type?: string | undefined;
  actor?: string | undefined;
  /** What the event is about: the account of a failed login (whose actor is null). */
  target?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
  /** 1..{@link MAX_QUERY_LIMIT}. */
  limit: number;
  cursor?: string | undefined;
}

/** One page of events, newest first; `next_cursor` is null on the last page. */
export interface AuditPage {
  events: AuditEvent[];
  next_cursor: string | null;
}

/** Encodes the position after the event `seq`. */
export function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`, "utf8").toString("base64url");
}

/** Decodes a cursor; throws `invalid_query` for anything {@link encodeCursor} did not make. */
export function decodeCursor(cursor: string): number {
  const text = /^[A-Za-z0-9_-]{1,40}$/.test(cursor)
    ? Buffer.from(cursor, "base64url").toString("utf8")
    : "";
  const match = /^seq:([1-9]\d{0,15})$/.exec(text);
  const seq = match ? Number(match[1]) : Number.NaN;
  // One spelling per cursor: the decoder ignores stray trailing bits and characters.
  if (!Number.isSafeInteger(seq) || encodeCursor(seq) !== cursor) {
    throw new AuditError("invalid_query", "cursor is not valid");
  }
  return seq;
}

function checkInteger(name: string, value: number | undefined): void {
  if (value !== undefined && !Number.isSafeInteger(value)) {
    throw new AuditError("invalid_query", `${name} must be a safe integer`);
  }
}

/** A filter for {@link listEvents}: {@link AuditQuery} with a raw seq bound instead of a cursor. */
export interface AuditListFilter {
  type?: string | undefined;
  actor?: string | undefined;
  target?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
  /** 1..{@link MAX_QUERY_LIMIT} + 1 (one extra to detect a next page). */
  limit: number;
  /** Only events with a smaller seq. */
  beforeSeq?: number | undefined;
}

const COLUMNS =
  "seq, at, type, actor, target, outcome, ip, user_agent, request_id, details, prev_hash, hash";

/**
 * The statement of {@link listEvents}: only the filters given, each a plain comparison. A
 * "(param IS NULL OR column = param)" form defeats the (actor, seq), (target, seq) and
 * (type, seq) indexes: a rare actor in a long log was a full scan. Placeholders `$1…`.
 */
export function listStatement(filter: AuditListFilter): { text: string; params: unknown[] } {
  // A seq beyond what a number holds (planted before migration 006) would throw on reading:
  // verify reports those rows.
  const params: unknown[] = [-MAX_SEQ, MAX_SEQ];
  const where = ["seq BETWEEN $1 AND $2"];
  const add = (column: string, op: string, value: string | number | undefined) => {
    if (value === undefined) return;
    params.push(value);
    where.push(`${column} ${op} $${params.length}`);
  };
  add("seq", "<", filter.beforeSeq);
  add("type", "=", filter.type);
  add("actor", "=", filter.actor);
  add("target", "=", filter.target);
  add("at", ">=", filter.since);
  add("at", "<", filter.until);
  params.push(filter.limit);
  return {
    text: `SELECT ${COLUMNS} FROM audit_events WHERE ${where.join(" AND ")} ORDER BY seq DESC LIMIT $${params.length}`,
    params,
  };
}

/** Events matching `filter`, newest first. */
export async function listEvents(db: Database, filter: AuditListFilter): Promise<AuditEvent[]> {
  if (!Number.isInteger(filter.limit) || filter.limit < 1 || filter.limit > MAX_QUERY_LIMIT + 1) {
    throw new AuditError("invalid_query", `limit must be 1..${MAX_QUERY_LIMIT}`);
  }
  checkInteger("since", filter.since);
  checkInteger("until", filter.until);
  checkInteger("beforeSeq", filter.beforeSeq);
  const { text, params } = listStatement(filter);
  const rows = await db.unsafe<AuditRow>(text, params);
  return rows.map(eventOf);
}

/** Runs `query` against `db`: one page and the cursor of the next. */
export async function queryEvents(db: Database, query: AuditQuery): Promise<AuditPage> {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_QUERY_LIMIT) {
    throw new AuditError("invalid_query", `limit must be 1..${MAX_QUERY_LIMIT}`);
  }
  const events = await listEvents(db, {
    type: query.type,
    actor: query.actor,
    target: query.target,
    since: query.since,
    until: query.until,
    limit: query.limit + 1,
    beforeSeq: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
  });
  const more = events.length > query.limit;
  const page = more ? events.slice(0, query.limit) : events;
  const last = page.at(-1);
  return { events: page, next_cursor: more && last ? encodeCursor(last.seq) : null };
}
