/**
 * Character statistics for secret strength (reference/validator.md §3):
 * Shannon entropy as gitleaks/trufflehog compute it, and detect-secrets'
 * "sequential string" filter, which catches `ABCDEF…` runs that have high
 * per-character entropy and no randomness at all.
 * @module
 */

/** Shannon entropy in bits per character: H = −Σ p·log2 p over distinct code points. */
export function shannonEntropy(text: string): number {
  const chars = Array.from(text);
  if (chars.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / chars.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";
const PRINTABLE = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join("");

// detect-secrets' sequences plus the printable-ASCII run; each is repeated so
// that a value which wraps around (`…XYZ0123…`) is still a substring.
const SEQUENCES = [
  `${UPPER}${DIGITS}+/`,
  `${DIGITS}${UPPER}+/`,
  `${DIGITS}ABCDEF`,
  `${UPPER}=/`,
  PRINTABLE,
].flatMap((s) => {
  const repeated = s.repeat(8);
  return [repeated, Array.from(repeated).reverse().join("")];
});

/** True when `text` (case-folded) is a run of consecutive characters such as `abcdef…` or `9876…`. */
export function isSequentialString(text: string): boolean {
  const upper = text.toUpperCase();
  return SEQUENCES.some((sequence) => sequence.includes(upper));
}
