/**
 * The canonical encoding that each event's hash covers.
 *
 * `hash = hex(SHA-256(UTF-8(canonicalJson(record))))` where `record` holds every
 * stored field under its column name — `seq, at, type, actor, target, outcome,
 * ip, user_agent, request_id, details, prev_hash` — absent values as `null`.
 * `canonicalJson` is JSON with object keys sorted by UTF-16 code unit at every
 * depth and no whitespace; arrays keep their order. For the values stored here
 * (strings, safe integers, booleans, null, objects, arrays) this is the same
 * byte string as RFC 8785 (JCS), so another tool can recompute a hash.
 * @module
 */

/** The hash before the first event: 64 zeros. */
export const GENESIS_HASH = "0".repeat(64);

/** Sorted-key, whitespace-free JSON of a JSON value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    // undefined, functions and symbols have no JSON form; inside objects they are dropped.
    return text === undefined ? "null" : text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== "function" && typeof v !== "symbol")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** The hashed fields of one event, by column name. */
export interface HashedRecord {
  seq: number;
  at: number;
  type: string;
  actor: string | null;
  target: string | null;
  outcome: string;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
}

/** SHA-256 (lowercase hex) of the canonical encoding of `record`. */
export function hashRecord(record: HashedRecord): string {
  return new Bun.CryptoHasher("sha256").update(canonicalJson(record), "utf8").digest("hex");
}
