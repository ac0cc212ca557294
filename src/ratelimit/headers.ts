/**
 * `RateLimit-Policy` and `RateLimit` in the IETF draft syntax (structured
 * field lists): `"user";q=600;w=60` and `"user";r=599;t=1`. Seconds are
 * rounded up so a client never retries early.
 * @module
 */
import type { LimitSpec, LimitState } from "./types.ts";

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/** `RateLimit-Policy` for the limits of a request. */
export function formatRateLimitPolicy(limits: LimitSpec[]): string {
  return limits
    .map((l) => `"${l.name}";q=${l.limit};w=${Math.max(1, seconds(l.windowMs))}`)
    .join(", ");
}

/** `RateLimit` for the states of a decision: units left and seconds until full again. */
export function formatRateLimit(states: LimitState[]): string {
  return states.map((s) => `"${s.name}";r=${s.remaining};t=${seconds(s.resetMs)}`).join(", ");
}

/** `Retry-After`: whole seconds, at least 1. */
export function formatRetryAfter(retryAfterMs: number): string {
  return String(Math.max(1, seconds(retryAfterMs)));
}
