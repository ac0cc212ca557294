/**
 * Appending one event to the chain.
 *
 * The append runs in a transaction that first locks the single
 * `audit_chain_head` row (`SELECT … FOR UPDATE` on PostgreSQL; on SQLite the
 * transaction itself is `BEGIN IMMEDIATE`, which holds the write lock), so
 * appends from every instance are serialized: seq is gapless and each
 * prev_hash is the hash of the event before it. When called inside a caller's
 * transaction it joins it (a savepoint), committing or rolling back with it.
 *
 * A row the log did not write (anyone with the server's INSERT right can add
 * one at the next seq, or lower the head) must not stop the log: every login,
 * logout and revoke-all appends, and a key conflict would fail them all on
 * every instance. The event takes the first free seq after the head
 * (nextSeq.ts); the foreign rows stay where they are, and `verify` points at them.
 * @module
 */
import type { Clock } from "../clock/index.ts";
import type { Database } from "../storage/index.ts";
import { canonicalJson, type HashedRecord, hashRecord } from "./canonical.ts";
import { AuditError } from "./errors.ts";
import type { AuditEvent, AuditEventInput } from "./events.ts";
import { followableHead, nextFreeSeq } from "./nextSeq.ts";
import { redactString, sanitizeDetails } from "./redaction.ts";

const TYPE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
const MAX_DETAILS_BYTES = 8 * 1024;

function field(value: string | null | undefined, max: number): string | null {
  if (value === undefined || value === null) return null;
  return redactString(value).slice(0, max);
}

function buildRecord(input: AuditEventInput, at: number): Omit<HashedRecord, "seq" | "prev_hash"> {
  if (!TYPE_PATTERN.test(input.type)) {
    throw new AuditError("invalid_event", "event type must be snake_case");
  }
  if (input.outcome !== "success" && input.outcome !== "failure") {
    throw new AuditError("invalid_event", "outcome must be success or failure");
  }
  let details: Record<string, unknown>;
  try {
    details = sanitizeDetails(input.details);
  } catch {
    throw new AuditError("invalid_event", "details must be JSON-serializable");
  }
  if (JSON.stringify(details).length > MAX_DETAILS_BYTES) {
    throw new AuditError(
      "invalid_event",
      `details must be under ${MAX_DETAILS_BYTES} bytes of JSON`,
    );
  }
  return {
    at,
    type: input.type,
    actor: field(input.actor, 256),
    target: field(input.target, 256),
    outcome: input.outcome,
    ip: field(input.ip, 64),
    user_agent: field(input.userAgent, 512),
    request_id: field(input.requestId, 128),
    details,
  };
}

/**
 * Rows found where the log would have written: the head's seq (null when the
 * head holds no seq the log could have written) and the seq the event took.
 */
export interface ForeignRows {
  headSeq: number | null;
  seq: number;
}

/** Inserts tried before an append gives up on rows appearing under it (PostgreSQL only). */
const MAX_INSERT_TRIES = 16;

/**
 * Appends `input` at `clock.now()`; resolves with the stored event.
 * `onForeignRows` hears that rows past the chain head made the event take
 * another seq, once the append's own transaction (or savepoint, inside a
 * caller's transaction, which may still roll back) has ended.
 */
export async function appendEvent(
  db: Database,
  clock: Clock,
  input: AuditEventInput,
  onForeignRows?: (found: ForeignRows) => void,
): Promise<AuditEvent> {
  const partial = buildRecord(input, clock.now());
  let found: ForeignRows | undefined;
  const event = await db.transaction(async (tx) => {
    // The seq as text: a tampered head (2^62, 'abc') must not throw on the way in.
    const heads =
      tx.dialect === "postgres"
        ? await tx.sql<{ seq: string; hash: string }>`
            SELECT CAST(seq AS TEXT) AS seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE`
        : await tx.sql<{ seq: string; hash: string }>`
            SELECT CAST(seq AS TEXT) AS seq, hash FROM audit_chain_head WHERE id = 1`;
    const head = heads[0];
    if (!head) throw new Error("audit_chain_head is missing: run the migrations");
    const headSeq = followableHead(head.seq);
    // Under the head's lock, in statements of their own (fresh snapshots on PostgreSQL).
    const firstFree = async (after: number | undefined) =>
      (after === undefined ? undefined : await nextFreeSeq(tx, after)) ??
      (await nextFreeSeq(tx, 0));
    let seq = await firstFree(headSeq);
    let record: HashedRecord | undefined;
    let hash = "";
    for (let tries = 0; seq !== undefined && tries < MAX_INSERT_TRIES; tries++) {
      const candidate: HashedRecord = { ...partial, seq, prev_hash: head.hash };
      hash = hashRecord(candidate);
      // On PostgreSQL a row can be inserted between the read and this insert (a planter does
      // not take the head's lock): then take the next free seq, instead of failing the append.
      const inserted = await tx.sql<{ seq: number }>`
        INSERT INTO audit_events
          (seq, at, type, actor, target, outcome, ip, user_agent, request_id, details, prev_hash, hash)
        VALUES (${seq}, ${candidate.at}, ${candidate.type}, ${candidate.actor}, ${candidate.target},
          ${candidate.outcome}, ${candidate.ip}, ${candidate.user_agent}, ${candidate.request_id},
          ${canonicalJson(candidate.details)}, ${candidate.prev_hash}, ${hash})
        ON CONFLICT (seq) DO NOTHING
        RETURNING seq`;
      if (inserted.length > 0) {
        record = candidate;
        break;
      }
      seq = await firstFree(seq);
    }
    if (!record) throw new Error("audit log: no free seq to append at");
    found =
      headSeq !== undefined && record.seq === headSeq + 1
        ? undefined
        : { headSeq: headSeq ?? null, seq: record.seq };
    await tx.sql`UPDATE audit_chain_head SET seq = ${record.seq}, hash = ${hash} WHERE id = 1`;
    return {
      seq: record.seq,
      at: record.at,
      type: record.type,
      actor: record.actor,
      target: record.target,
      outcome: record.outcome,
      ip: record.ip,
      userAgent: record.user_agent,
      requestId: record.request_id,
      details: record.details,
      prevHash: record.prev_hash,
      hash,
    };
  });
  if (found) onForeignRows?.(found);
  return event;
}
