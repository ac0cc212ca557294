/**
 * Turns per-limit GCRA outcomes (from `gcra.ts` or `gcra.lua`, in µs) into the
 * public {@link Decision}.
 * @module
 */
import type { Decision, LimitSpec, LimitState } from "./types.ts";

/** Microsecond outcome of one limit, as both GCRA implementations report it. */
export interface RawOutcome {
  remaining: number;
  resetUs: number;
  retryUs: number;
}

/** Per-limit microsecond outcomes (from TS or Lua) → the public {@link Decision}. */
export function toDecision(
  limits: LimitSpec[],
  allowed: boolean,
  outcomes: RawOutcome[],
): Decision {
  const states: LimitState[] = limits.map((l, i) => {
    const o = outcomes[i] ?? { remaining: 0, resetUs: 0, retryUs: 0 };
    return {
      name: l.name,
      limit: l.limit,
      windowMs: l.windowMs,
      remaining: o.remaining,
      resetMs: Math.ceil(o.resetUs / 1000),
      retryAfterMs: Math.ceil(o.retryUs / 1000),
    };
  });
  if (allowed) return { allowed: true, states };
  let blockedBy = "";
  let retryAfterMs = 0;
  for (const s of states) {
    const retry = s.retryAfterMs ?? 0;
    if (retry > 0 && blockedBy === "") blockedBy = s.name;
    // Every limit must admit the request, so it waits for the slowest one.
    retryAfterMs = Math.max(retryAfterMs, retry);
  }
  return { allowed: false, states, blockedBy, retryAfterMs: Math.max(1, retryAfterMs) };
}
