/**
 * Verifying the chain, in pages of `pageSize` rows (never the whole table in
 * memory).
 *
 * Per row, in seq order: the seq must follow the previous one (`seq_gap`: a
 * deleted row, or one planted ahead of the others; `first_bad_seq` is the
 * missing seq), the stored hash must match
 * the canonical encoding (`hash_mismatch`: an edited row; `malformed_row` when
 * details are not a JSON object), and prev_hash must be the previous row's hash
 * (`chain_break`: an inserted, replaced or reordered row whose own hash was
 * recomputed; also any row numbered below 1, which the log never writes). At
 * the end the last row must match `audit_chain_head`
 * (`truncated`: the newest rows were deleted; `head_mismatch`: a row appended
 * outside the log, or the head edited).
 *
 * The chain is unkeyed: someone who can rewrite every row from the edit
 * onwards *and* the head defeats it. Anchoring the head hash elsewhere (logs,
 * sys_startup/sys_shutdown details) closes that gap; see docs/storage.md.
 * @module
 */
import type { Database } from "../storage/index.ts";
import { canonicalJson, GENESIS_HASH, hashRecord } from "./canonical.ts";
import { MAX_SEQ, seqFromText } from "./nextSeq.ts";
import { type AuditRow, hashedRecordOf } from "./rows.ts";

/** Why verification failed. */
export type VerifyFailureReason =
  | "seq_gap"
  | "hash_mismatch"
  | "malformed_row"
  | "chain_break"
  | "truncated"
  | "head_mismatch";

/** The verification outcome; `checked` counts rows found intact before the first bad one. */
export type VerifyResult =
  | { ok: true; checked: number }
  | { ok: false; checked: number; first_bad_seq: number; reason: VerifyFailureReason };

/** Rows read per page: ~10 ms of hashing on SQLite, where reads run synchronously. */
export const DEFAULT_VERIFY_PAGE_SIZE = 500;

/**
 * Lets requests run between two pages. On SQLite every read runs synchronously,
 * so without it a verification held the event loop for its whole run (~21 µs a
 * row: 1.2 s at 60 000 rows, and every rate-limit decision in flight timed out).
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Appends that may land while verification runs before it gives up catching up. */
const MAX_CATCH_UP_ROUNDS = 10;

/** Verifies the whole chain. */
export async function verifyChain(
  db: Database,
  pageSize = DEFAULT_VERIFY_PAGE_SIZE,
): Promise<VerifyResult> {
  let checked = 0;
  let lastSeq = 0;
  let lastHash = GENESIS_HASH;
  const fail = (first_bad_seq: number, reason: VerifyFailureReason): VerifyResult => ({
    ok: false,
    checked,
    first_bad_seq,
    reason,
  });

  // The log numbers rows from 1. A row below that was inserted behind its back, and the
  // scan below (seq > 0) would never see it, while the audit list shows it.
  // As text: a planted -2^63 must not throw on the way in (reported as -(2^53 - 1) then).
  const [stray] = await db.sql<{ seq: string | null }>`
    SELECT CAST(MAX(seq) AS TEXT) AS seq FROM audit_events WHERE seq < 1`;
  if (stray && stray.seq !== null) {
    return fail(Math.max(Math.trunc(Number(stray.seq)), -MAX_SEQ), "chain_break");
  }

  for (let round = 0; ; round++) {
    for (;;) {
      const rows = await db.sql<AuditRow>`
        SELECT seq, at, type, actor, target, outcome, ip, user_agent, request_id, details,
               prev_hash, hash
        FROM audit_events WHERE seq > ${lastSeq} AND seq <= ${MAX_SEQ}
        ORDER BY seq LIMIT ${pageSize}`;
      for (const row of rows) {
        if (row.seq !== lastSeq + 1) return fail(lastSeq + 1, "seq_gap");
        const record = hashedRecordOf(row);
        if (!record) return fail(row.seq, "malformed_row");
        // Details are stored as their canonical JSON: another spelling of them (spacing,
        // escapes, a duplicated key that SQL's JSON functions read differently) is an edit.
        if (hashRecord(record) !== row.hash || canonicalJson(record.details) !== row.details) {
          return fail(row.seq, "hash_mismatch");
        }
        if (row.prev_hash !== lastHash) return fail(row.seq, "chain_break");
        lastSeq = row.seq;
        lastHash = row.hash;
        checked++;
      }
      if (rows.length < pageSize) break;
      await nextTurn();
    }
    // Read after the rows: the head and its row commit together, so a head
    // beyond what we read means appends landed meanwhile (catch up) or rows vanished.
    const [stored] = await db.sql<{ seq: string; hash: string }>`
      SELECT CAST(seq AS TEXT) AS seq, hash FROM audit_chain_head WHERE id = 1`;
    const headSeq = seqFromText(stored?.seq);
    // A head that is no seq the log writes (text, a fraction, negative, beyond 2^53) was edited.
    if (!stored || headSeq === undefined) return fail(lastSeq + 1, "head_mismatch");
    const head = { seq: headSeq, hash: stored.hash };
    if (head.seq === lastSeq) {
      // The head itself was edited: every row is intact, the first bad thing is past them.
      if (head.hash !== lastHash) return fail(lastSeq + 1, "head_mismatch");
      // Rows the scan cannot read as numbers (beyond 2^53, a text or NULL seq on SQLite)
      // were never appended by the log: rows beyond the head.
      const [outside] = await db.sql<{ n: number }>`
        SELECT COUNT(*) AS n FROM audit_events
        WHERE seq IS NULL OR NOT (seq BETWEEN 1 AND ${MAX_SEQ})`;
      return Number(outside?.n ?? 0) > 0
        ? fail(lastSeq + 1, "head_mismatch")
        : { ok: true, checked };
    }
    if (head.seq < lastSeq) {
      // Rows beyond the head were never appended by the log; the ones up to it are intact.
      return { ok: false, checked: head.seq, first_bad_seq: head.seq + 1, reason: "head_mismatch" };
    }
    const [next] = await db.sql<{ seq: number }>`
      SELECT seq FROM audit_events WHERE seq > ${lastSeq} AND seq <= ${MAX_SEQ}
      ORDER BY seq LIMIT 1`;
    if (!next || round >= MAX_CATCH_UP_ROUNDS) return fail(lastSeq + 1, "truncated");
  }
}
