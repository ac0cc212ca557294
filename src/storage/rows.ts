/**
 * Result normalization so callers see the same values from both dialects:
 * PostgreSQL BIGINT (opened with `bigint: true`) and COUNT arrive as BigInt and
 * become numbers. Epoch-ms timestamps and sequence numbers stay far below
 * 2^53, so the conversion is exact; anything larger is refused rather than
 * silently rounded.
 * @module
 */

/** One result row. */
export type Row = Record<string, unknown>;

function toNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError("integer result exceeds the safe JavaScript range");
  }
  return Number(value);
}

/** Copies rows into plain objects, converting BigInt values to numbers. */
export function normalizeRows<T>(rows: readonly Row[]): T[] {
  const out: Row[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row;
    const copy: Row = {};
    for (const key of Object.keys(row)) {
      const v = row[key];
      copy[key] = typeof v === "bigint" ? toNumber(v) : v;
    }
    out[i] = copy;
  }
  return out as T[];
}

/**
 * Reads an integer column that may be a number, BigInt or numeric string
 * (e.g. from raw driver results); null/undefined stay null.
 */
export function integerOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return toNumber(value);
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  throw new TypeError("expected an integer column");
}
