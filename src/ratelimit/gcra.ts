/**
 * The GCRA math, shared by the in-memory store and mirrored line by line in
 * `gcra.lua`, so development and production limit the same way.
 *
 * All times are integer microseconds: an emission interval such as 60 s / 7
 * is not a whole number of milliseconds, and epoch microseconds (~1.7e15)
 * still fit a double exactly, in JavaScript and in Redis's Lua alike.
 * @module
 */
import type { LimitSpec } from "./types.ts";

/** One limit translated to GCRA parameters. */
export interface GcraParams {
  /** Emission interval T = window / limit. */
  intervalUs: number;
  /** Burst tolerance τ = T × limit: a fresh key may spend the whole limit at once. */
  toleranceUs: number;
  /** What this request adds to the TAT: T × cost. */
  incrementUs: number;
}

/** Per-limit outcome of one evaluation. */
export interface GcraOutcome {
  /** The TAT to store when the request is admitted (and not a peek). */
  newTatUs: number;
  remaining: number;
  /** Time until the bucket is full again. */
  resetUs: number;
  /** Time until this limit would admit the request; 0 when it admits it now. */
  retryUs: number;
}

/** The outcome of evaluating every limit of one request together. */
export interface GcraEvaluation {
  allowed: boolean;
  outcomes: GcraOutcome[];
}

/** Throws a TypeError when `spec` cannot be a limit (a programming error, never user input). */
export function assertValidLimit(spec: LimitSpec): void {
  const cost = spec.cost ?? 1;
  if (!Number.isSafeInteger(spec.limit) || spec.limit < 1) {
    throw new TypeError(`rate limit "${spec.name}": limit must be a positive integer`);
  }
  if (!Number.isSafeInteger(spec.windowMs) || spec.windowMs < 1) {
    throw new TypeError(`rate limit "${spec.name}": windowMs must be a positive integer`);
  }
  if (!Number.isSafeInteger(cost) || cost < 0) {
    throw new TypeError(`rate limit "${spec.name}": cost must be a non-negative integer`);
  }
  if (spec.key.length === 0) throw new TypeError(`rate limit "${spec.name}": empty key`);
}

/** GCRA parameters of a limit. */
export function gcraParams(spec: LimitSpec): GcraParams {
  const intervalUs = Math.max(1, Math.round((spec.windowMs * 1000) / spec.limit));
  return {
    intervalUs,
    toleranceUs: intervalUs * spec.limit,
    incrementUs: intervalUs * (spec.cost ?? 1),
  };
}

/**
 * Evaluates every limit at `nowUs` given each key's stored TAT (undefined when
 * the key is absent or expired). All-or-nothing: when one limit rejects, the
 * outcomes describe the unchanged state and nothing must be written.
 */
export function evaluateGcra(
  params: GcraParams[],
  tats: Array<number | undefined>,
  nowUs: number,
): GcraEvaluation {
  let allowed = true;
  const staged = params.map((p, i) => {
    // A TAT past now + τ was written under a stricter policy (since relaxed): an empty
    // bucket, no more. Mirrored in gcra.lua.
    const tat = Math.min(Math.max(tats[i] ?? nowUs, nowUs), nowUs + p.toleranceUs);
    const newTat = tat + p.incrementUs;
    const allowAt = newTat - p.toleranceUs;
    const retryUs = allowAt > nowUs ? allowAt - nowUs : 0;
    if (retryUs > 0) allowed = false;
    return { p, tat, newTat, retryUs };
  });
  const outcomes = staged.map(({ p, tat, newTat, retryUs }) => {
    // Admitted: report the state after this request. Rejected: the state as it is.
    const after = allowed ? newTat : tat;
    return {
      newTatUs: newTat,
      remaining: Math.max(0, Math.floor((p.toleranceUs - (after - nowUs)) / p.intervalUs)),
      resetUs: after - nowUs,
      retryUs,
    };
  });
  return { allowed, outcomes };
}

/**
 * The TAT after giving back `decrementUs` at `nowUs`, or undefined when the
 * bucket is then full (the key can go). Never before `nowUs`: a refund restores
 * spent units and cannot bank credit. Mirrored in `refund.lua`.
 */
export function refundedTat(tatUs: number, decrementUs: number, nowUs: number): number | undefined {
  const back = tatUs - decrementUs;
  return back > nowUs ? back : undefined;
}
