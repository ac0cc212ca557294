/**
 * Delay generators for retries and for the breaker's break duration.
 *
 * A `Backoff` makes a fresh sequence per execution (decorrelated jitter keeps
 * state between attempts). Every generator returns a finite delay in
 * `[0, maxMs]` for any attempt number, however large: `2 ** 1100` is Infinity
 * and `Infinity - Infinity` is NaN, which once made other libraries sleep for
 * NaN ms (cockatiel #86, Polly #2163).
 * @module
 */

/** The delay in ms before retry number `attempt` (1 = the first retry). */
export type DelaySequence = (attempt: number) => number;

/** A factory of per-execution delay sequences. */
export type Backoff = () => DelaySequence;

/** How exponential delays are randomised. */
export type Jitter = "none" | "full" | "decorrelated";

/** Options of `exponentialBackoff`. */
export interface ExponentialBackoffOptions {
  /** Base delay in ms (default 128). */
  initialMs?: number;
  /** Growth per attempt for "none" and "full" (default 2; "decorrelated" grows ~2×). */
  factor?: number;
  /** Cap on any single delay in ms (default 30 000). */
  maxMs?: number;
  /** Default "decorrelated" (Polly's DecorrelatedJitterV2, as in cockatiel). */
  jitter?: Jitter;
  /** Uniform random in [0, 1); injectable for tests. */
  random?: () => number;
}

const finiteIn = (value: number, max: number): number =>
  Number.isFinite(value) ? Math.min(max, Math.max(0, value)) : max;

/** `ms` spread uniformly over ±25 % (Polly's constant jitter). */
export const spreadByQuarter = (ms: number, random: () => number = Math.random): number =>
  finiteIn(ms * 0.75 + ms * 0.5 * random(), ms * 1.25);

/** The same delay every time; `jitter: true` spreads it ±25 % ({@link spreadByQuarter}). */
export function constantBackoff(
  ms: number,
  opts: { jitter?: boolean; random?: () => number } = {},
): Backoff {
  const random = opts.random ?? Math.random;
  const fixed: DelaySequence = () => ms;
  const jittered: DelaySequence = () => spreadByQuarter(ms, random);
  return () => (opts.jitter ? jittered : fixed);
}

/** Exponential growth from `initialMs`, capped at `maxMs`, with the chosen jitter. */
export function exponentialBackoff(opts: ExponentialBackoffOptions = {}): Backoff {
  const base = opts.initialMs ?? 128;
  const factor = opts.factor ?? 2;
  const max = opts.maxMs ?? 30_000;
  const random = opts.random ?? Math.random;
  // base 0 means "no delay", even when factor ** attempt overflows (0 * Infinity is NaN).
  const ceiling = (attempt: number) =>
    base === 0 ? 0 : finiteIn(base * factor ** Math.max(0, attempt - 1), max);
  switch (opts.jitter ?? "decorrelated") {
    case "none":
      return () => ceiling;
    case "full":
      return () => (attempt) => finiteIn(random() * ceiling(attempt), max);
    case "decorrelated":
      return () => decorrelatedJitter(base, max, random);
  }
}

// Polly's DecorrelatedJitterV2 constants: tanh(sqrt(4t)) shapes the early
// attempts, 1/1.4 rescales so the median delay tracks `base * 2^attempt`.
const P_FACTOR = 4;
const RP_SCALING = 1 / 1.4;

function decorrelatedJitter(base: number, max: number, random: () => number): DelaySequence {
  let prev = 0;
  return (attempt) => {
    const t = Math.max(0, attempt - 1) + random();
    const next = 2 ** t * Math.tanh(Math.sqrt(P_FACTOR * t));
    // Once `next` overflows, every later delay is the cap (and prev stays finite).
    if (!Number.isFinite(next)) return max;
    const delay = (next - prev) * RP_SCALING * base;
    prev = next;
    return finiteIn(delay, max);
  };
}

/** Delays from a caller-supplied function of the attempt number (clamped to be finite, ≥ 0). */
export function delegateBackoff(fn: (attempt: number) => number, maxMs = 30_000): Backoff {
  return () => (attempt) => finiteIn(fn(attempt), maxMs);
}
