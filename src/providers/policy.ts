/**
 * The resilience pipeline every outbound call of one provider goes through,
 * outermost first:
 *
 * total timeout → retry (jittered backoff, Retry-After honoured) → bulkhead
 * → token bucket → circuit breaker (registered under the provider's name)
 * → attempt timeout → the HTTP call.
 *
 * Bulkhead and bucket sit outside the breaker so their rejections (our own
 * back-pressure) never count as provider failures; the attempt timeout sits
 * inside it so a hung provider does. Retry stops when its next sleep would
 * end past the total budget (a server's Retry-After included): the last
 * failure, with the wait it asked for, is the answer.
 * @module
 */

import type { Clock } from "../clock/index.ts";
import {
  type Backoff,
  type BreakerRegistry,
  bulkhead,
  type CircuitBreaker,
  exponentialBackoff,
  isTimeoutError,
  isTokenBucketRejectedError,
  type PipelinePolicy,
  pipeline,
  retry,
  spreadByQuarter,
  type TokenBucketPolicy,
  timeout,
  tokenBucket,
} from "../resilience/index.ts";
import { isProviderError } from "./errors.ts";

/**
 * A published limit of `limit` requests per `intervalMs`, as a token bucket that never exceeds
 * it: a bucket lets its burst plus one interval's refill through in the worst interval, so the
 * refill is the limit less the burst. (Refilling the whole limit let 246 requests reach a fake
 * Alpaca in one minute of a soak; a provider counting strictly answers 429, which counts
 * against our breaker.)
 */
const publishedLimit = (limit: number, intervalMs: number, burst: number) => ({
  rate: limit - burst,
  intervalMs,
  burst,
});

/** Published request limits, as token-bucket settings (docs/providers.md). */
export const PROVIDER_RATE_LIMITS = {
  /** 200 requests/min per account (free plan): bursts of 50, 150/min sustained. */
  alpaca: publishedLimit(200, 60_000, 50),
  /** 60 calls/min (and at most 30/s): bursts of 15, 45/min sustained. */
  finnhub: publishedLimit(60, 60_000, 15),
  /** Free key: 25 requests/day: bursts of 5 (the old per-minute cap), 20/day sustained. */
  alphavantage: publishedLimit(25, 86_400_000, 5),
} as const;

/** Tuning knobs; defaults in {@link DEFAULT_TUNING}. Tests shrink them. */
export interface PolicyTuning {
  maxAttempts: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  failureThreshold: number;
  /** The first break; each opening in a row doubles it, up to `breakDurationMs`. */
  firstBreakMs: number;
  /** The longest break. */
  breakDurationMs: number;
  /** Spread each break ±25 % (default on). */
  breakJitter: boolean;
  maxConcurrent: number;
  maxQueue: number;
}

/** Production defaults. */
export const DEFAULT_TUNING: PolicyTuning = {
  maxAttempts: 3,
  backoffInitialMs: 100,
  backoffMaxMs: 2_000,
  failureThreshold: 5,
  firstBreakMs: 5_000,
  breakDurationMs: 30_000,
  breakJitter: true,
  maxConcurrent: 8,
  maxQueue: 32,
};

/** Everything a provider pipeline is built from. */
export interface ProviderPolicyOptions {
  name: keyof typeof PROVIDER_RATE_LIMITS;
  attemptTimeoutMs: number;
  totalTimeoutMs: number;
  clock: Clock;
  registry: BreakerRegistry;
  tuning?: Partial<PolicyTuning>;
}

/** Worth another attempt: provider trouble and attempt timeouts; never not_found, auth or bad shapes. */
export function isRetryable(error: unknown): boolean {
  if (isProviderError(error)) return error.retryable;
  return isTimeoutError(error);
}

/**
 * Counts against the breaker: everything but "no such symbol" (a correct answer),
 * a 4xx about this request's input (`rejected`: one viewer must not open the
 * breaker for everyone), and our own rate limit refusing a further page of an
 * attempt (back-pressure).
 */
const countsAsFailure = (error: unknown): boolean =>
  !(isProviderError(error) && (error.kind === "not_found" || error.kind === "rejected")) &&
  !isTokenBucketRejectedError(error);

/**
 * Breaks of 5, 10, 20, then 30 s (by default) for openings in a row, each spread ±25 %. A fixed
 * 30 s break locked onto a provider failing every 30 s: each probe landed in the next outage, and
 * the breaker stayed open for minutes while the provider was up two-thirds of the time; a
 * jittered 30 s one still missed most up-windows (soak). Short first breaks find a provider that
 * is back soon; the longer ones cost a provider that stays down one request per break.
 */
function growingBreaks(firstMs: number, maxMs: number, jitter: boolean): Backoff {
  const ceiling = exponentialBackoff({
    initialMs: Math.min(firstMs, maxMs),
    maxMs,
    jitter: "none",
  })();
  return () => (opening) => (jitter ? spreadByQuarter(ceiling(opening)) : ceiling(opening));
}

/** A provider's pipeline, its breaker, and its bucket (for calls after an attempt's first). */
export interface ProviderPolicy {
  pipeline: PipelinePolicy;
  breaker: CircuitBreaker;
  bucket: TokenBucketPolicy;
}

/** Builds the pipeline of one provider. */
export function providerPolicy(opts: ProviderPolicyOptions): ProviderPolicy {
  const tune = { ...DEFAULT_TUNING, ...opts.tuning };
  const breaker = opts.registry.getOrCreate(opts.name, {
    failureThreshold: tune.failureThreshold,
    breakDuration: growingBreaks(tune.firstBreakMs, tune.breakDurationMs, tune.breakJitter),
    halfOpenMaxWaitMs: Math.max(opts.totalTimeoutMs * 2, 1_000),
    shouldHandle: countsAsFailure,
    clock: opts.clock,
  });
  const limits = PROVIDER_RATE_LIMITS[opts.name];
  const bucket = tokenBucket({ ...limits, clock: opts.clock });
  return {
    breaker,
    bucket,
    pipeline: pipeline(
      timeout(opts.totalTimeoutMs, { mode: "aggressive" }),
      retry({
        name: `${opts.name}.retry`,
        maxAttempts: tune.maxAttempts,
        maxDelayMs: opts.totalTimeoutMs,
        // No sleep the total timeout would cut short: the failure (and the wait it asked for,
        // sent on as Retry-After) ends the call instead.
        deadlineMs: opts.totalTimeoutMs,
        clock: opts.clock,
        backoff: exponentialBackoff({
          initialMs: tune.backoffInitialMs,
          maxMs: tune.backoffMaxMs,
          jitter: "decorrelated",
        }),
        shouldRetry: isRetryable,
      }),
      bulkhead({
        maxConcurrent: tune.maxConcurrent,
        maxQueue: tune.maxQueue,
        queueTimeoutMs: opts.attemptTimeoutMs,
      }),
      // The breaker before the bucket: an open breaker turns calls away without spending tokens
      // (spent, a recovering provider met an empty bucket: 114 rejections drained Alpaca's
      // burst of 50 in a soak), and it ignores the bucket's own refusals.
      breaker,
      bucket,
      timeout(opts.attemptTimeoutMs, { mode: "aggressive" }),
    ),
  };
}
