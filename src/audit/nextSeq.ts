/**
 * The seq an append takes: the first one after the chain head that no row
 * holds.
 *
 * Normally that is head + 1. But the server's own role may INSERT (it has
 * to), so a row can sit at head + 1 without the log having written it, and
 * taking head + 1 blindly then failed every audited action on every instance.
 * Taking the highest seq + 1 instead let one row at 2^53 (or, on SQLite, a
 * text or fractional seq) do the same. The first free slot is immune to
 * both: the log's own rows stay gapless around what was planted, and
 * `verify` reports the planted row where it sits.
 * @module
 */
import type { Executor } from "../storage/index.ts";

/** Slots read per query; more only when that many rows were planted in a row. */
const WINDOW = 256;

/**
 * The first integer after `headSeq` with no row. Read under the head's lock.
 * Only a window of seqs is ever read, so a planted seq beyond 2^53 is never
 * converted to a JavaScript number.
 */
export async function nextFreeSeq(tx: Executor, headSeq: number): Promise<number> {
  let next = headSeq + 1;
  for (;;) {
    const end = next + WINDOW;
    // On SQLite a text seq sorts above every number, so the range leaves it out.
    const rows = await tx.sql<{ seq: number }>`
      SELECT seq FROM audit_events WHERE seq >= ${next} AND seq < ${end} ORDER BY seq`;
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq === next) next++;
      else if (seq > next) return next; // a fraction (SQLite) or a gap: `next` is free
    }
    if (next < end) return next;
  }
}
