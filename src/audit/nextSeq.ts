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
 * `verify` reports the planted row where it sits. A head that is no seq the
 * log could have written (text, a fraction, negative, at the top of the
 * range) is not followed: the search starts from the beginning instead, and
 * the append that finds a slot puts the head right.
 * @module
 */
import type { Executor } from "../storage/index.ts";

/** The highest seq the log writes (migration 006): the largest integer a JavaScript number holds exactly. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** Slots read per query; more only when that many rows were planted in a row. */
const WINDOW = 256;

/**
 * A seq read as text (so that no stored value can throw on the way in) when it
 * is a plain decimal integer from 0 to {@link MAX_SEQ}: not `''`, `'0x10'` or
 * `'7.5'`, which `Number()` would read as 0, 16 or a fraction.
 */
export function seqFromText(text: string | null | undefined): number | undefined {
  if (typeof text !== "string" || !/^(0|[1-9]\d{0,15})$/.test(text)) return undefined;
  const seq = Number(text);
  return seq <= MAX_SEQ ? seq : undefined;
}

/** The head's seq when an append can follow it: a seq below {@link MAX_SEQ}. */
export function followableHead(text: string | null | undefined): number | undefined {
  const seq = seqFromText(text);
  return seq !== undefined && seq < MAX_SEQ ? seq : undefined;
}

/**
 * The first integer after `after` with no row, or undefined when none is left
 * up to {@link MAX_SEQ}. Only a window of seqs is read at a time, so a planted
 * seq beyond 2^53 is never converted to a JavaScript number.
 */
export async function nextFreeSeq(tx: Executor, after: number): Promise<number | undefined> {
  let next = after + 1;
  while (next <= MAX_SEQ) {
    const end = Math.min(next + WINDOW, MAX_SEQ + 1);
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
  return undefined;
}
