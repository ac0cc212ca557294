/**
 * The audit log facade: append, query, verify, head.
 * @module
 */
import { type Clock, systemClock } from "../clock/index.ts";
import type { Database } from "../storage/index.ts";
import { appendEvent, type ForeignRows } from "./append.ts";
import type { AuditEvent, AuditEventInput } from "./events.ts";
import {
  type AuditListFilter,
  type AuditPage,
  type AuditQuery,
  listEvents,
  queryEvents,
} from "./query.ts";
import { DEFAULT_VERIFY_PAGE_SIZE, type VerifyResult, verifyChain } from "./verify.ts";

/** The append-only, hash-chained audit log. */
export interface AuditLog {
  /**
   * Appends one event (redacted, hashed, chained). Inside a caller's
   * transaction it commits or rolls back with it. Throws `AuditError`
   * (`invalid_event`) for a malformed event.
   */
  append(event: AuditEventInput): Promise<AuditEvent>;
  /** Events newest first. Throws `AuditError` (`invalid_query`) for bad limits or cursors. */
  query(query: AuditQuery): Promise<AuditPage>;
  /**
   * The same read with a raw seq bound and no cursor: for callers that page
   * themselves (the admin route's `AuditReader`). `limit` may be one over the page size.
   */
  list(filter: AuditListFilter): Promise<AuditEvent[]>;
  /** Checks the whole chain, streaming in pages. */
  verify(): Promise<VerifyResult>;
  /** The last event's seq and hash (seq 0 and the genesis hash when empty), to anchor elsewhere. */
  head(): Promise<{ seq: number; hash: string }>;
}

/** Options of {@link createAuditLog}. */
export interface AuditLogOptions {
  clock?: Clock;
  /** Rows per page during verification (default 500). */
  verifyPageSize?: number;
  /**
   * Told when rows past the chain head made an append take another seq than
   * head + 1 (the first free one, append.ts), once its transaction has ended.
   * The server logs it as an error.
   */
  onForeignRows?: (found: ForeignRows) => void;
}

/** Creates the audit log over a migrated database. */
export function createAuditLog(db: Database, options: AuditLogOptions = {}): AuditLog {
  const clock = options.clock ?? systemClock;
  const pageSize = options.verifyPageSize ?? DEFAULT_VERIFY_PAGE_SIZE;
  // One verification at a time per process: concurrent callers share it (each run reads and
  // hashes the whole chain; six at once on PostgreSQL starved every other request).
  let verifying: Promise<VerifyResult> | undefined;
  return {
    append: (event) => appendEvent(db, clock, event, options.onForeignRows),
    query: (query) => queryEvents(db, query),
    list: (filter) => listEvents(db, filter),
    verify: () => {
      verifying ??= verifyChain(db, pageSize).finally(() => {
        verifying = undefined;
      });
      return verifying;
    },
    head: async () => {
      const [head] = await db.sql<{ seq: number; hash: string }>`
        SELECT seq, hash FROM audit_chain_head WHERE id = 1`;
      if (!head) throw new Error("audit_chain_head is missing: run the migrations");
      return head;
    },
  };
}
