/**
 * Strict base64url: only the URL-safe alphabet, no padding, no whitespace, and
 * the canonical encoding only (unused trailing bits must be zero). Lenient
 * decoders accept many spellings of one signature; we accept exactly one.
 * @module
 */

const CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const VALUE = new Map([...CHARS].map((ch, i) => [ch.charCodeAt(0), i]));

/** Decodes `text` if it is canonical base64url; otherwise undefined. */
export function decodeCanonical(text: string): Uint8Array | undefined {
  const rest = text.length % 4;
  if (text.length === 0 || rest === 1) return undefined;
  // The last char of a partial group carries 4 (rest 2) or 2 (rest 3) unused bits; they must be 0.
  const last = VALUE.get(text.charCodeAt(text.length - 1));
  if (last === undefined || (rest !== 0 && (last & (rest === 2 ? 0b1111 : 0b11)) !== 0)) {
    return undefined;
  }
  let bytes: Uint8Array;
  try {
    // Throws on any character outside the base64url alphabet except ASCII whitespace and `=`.
    bytes = Uint8Array.fromBase64(text, { alphabet: "base64url" });
  } catch {
    return undefined;
  }
  // Whitespace and `=` are skipped by the decoder, so each one shortens the output by at
  // least a byte below what `text.length` implies (rest 1 is refused above): a cheaper
  // alphabet check than a regular expression over the whole segment (~1 µs on a payload).
  return bytes.length === Math.floor((text.length * 3) / 4) ? bytes : undefined;
}

/** Encodes bytes or a UTF-8 string as base64url without padding. */
export const encode = (data: Uint8Array | string): string =>
  (typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data)).toString("base64url");
