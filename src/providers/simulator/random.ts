/**
 * Counter-based randomness: every random number is a pure function of its
 * keys (seed, symbol, day, minute, stream), so an answer never depends on
 * process state or on the order of requests. Hashing is MurmurHash3's 32-bit
 * block and finaliser applied to integer keys.
 * @module
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

/** MurmurHash3's finaliser: a bijective 32-bit avalanche. */
function fmix32(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

const step = (h: number, key: number): number => {
  const k = Math.imul(rotl(Math.imul(key | 0, C1), 15), C2);
  return (Math.imul(rotl(h ^ k, 13), 5) + 0xe6546b64) | 0;
};

/**
 * Hashes up to five integer keys (each taken modulo 2^32; missing ones count
 * as 0) into an unsigned 32-bit value. Fixed arity on purpose: this runs
 * millions of times for long daily ranges and rest arguments allocate.
 */
export function hashKeys(a: number, b: number, c = 0, d = 0, e = 0): number {
  return fmix32(step(step(step(step(step(0x9747b28c, a), b), c), d), e));
}

/** FNV-1a of a string (UTF-16 code units), unsigned 32-bit. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A uniform number in the open interval (0, 1) for the keys. */
export function uniform(a: number, b: number, c = 0, d = 0, e = 0): number {
  return (hashKeys(a, b, c, d, e) + 0.5) / 4_294_967_296;
}

/**
 * The standard normal quantile of p in (0, 1): Acklam's rational
 * approximation (relative error < 1.2e-9), coefficients inlined because
 * module constants measurably slow this hot function down.
 */
export function normalQuantile(p: number): number {
  if (p < 0.02425 || p > 0.97575) {
    const q = Math.sqrt(-2 * Math.log(p < 0.5 ? p : 1 - p));
    const x =
      (((((-0.007784894002430293 * q - 0.3223964580411365) * q - 2.400758277161838) * q -
        2.549732539343734) *
        q +
        4.374664141464968) *
        q +
        2.938163982698783) /
      ((((0.007784695709041462 * q + 0.3224671290700398) * q + 2.445134137142996) * q +
        3.754408661907416) *
        q +
        1);
    return p < 0.5 ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((-39.69683028665376 * r + 220.9460984245205) * r - 275.9285104469687) * r +
      138.357751867269) *
      r -
      30.66479806614716) *
      r +
      2.506628274631) *
      q) /
    (((((-54.47609879822406 * r + 161.5858368580409) * r - 155.6989798598866) * r +
      66.80131188771972) *
      r -
      13.28068155288572) *
      r +
      1)
  );
}

/** A standard normal for the keys (one hash through the normal quantile). */
export function normal(a: number, b: number, c = 0, d = 0, e = 0): number {
  return normalQuantile(uniform(a, b, c, d, e));
}

/** Independent random streams of one symbol; values are arbitrary distinct tags. */
export const Stream = {
  tree: 1,
  minute: 2,
  wicks: 3,
  volume: 5,
  dayVolume: 6,
  jumpMinute: 7,
  routineNews: 8,
  routineMinute: 9,
  newsTone: 10,
  quoteSize: 11,
  mentions: 12,
  headline: 13,
} as const;
