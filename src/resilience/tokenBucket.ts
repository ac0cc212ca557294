/**
 * Token bucket: `rate` tokens per `intervalMs`, holding at most `burst`. A
 * call takes one token; when none is left it is rejected with the time until
 * the next token, or waits for it when that is within `maxWaitMs`. Refill is
 * computed from the clock on use: no timer while idle.
 *
 * Waiters reserve their token up front (the balance goes negative), so they
 * are served in arrival order; a waiter that aborts gives its token back.
 * @module
 */
import { TokenBucketRejectedError } from "./errors.ts";
import { systemClock, systemScheduler } from "./scheduler.ts";
import { abortReason, neverAbortedSignal, sleep } from "./signals.ts";
import type { Clock, Policy, Scheduler, Work } from "./types.ts";

/** Options of TokenBucketPolicy. */
export interface TokenBucketOptions {
  /** Tokens added per `intervalMs` (> 0). */
  rate: number;
  /** Default 1000 (rate per second). `{ rate: 200, intervalMs: 60_000 }` = 200/min. */
  intervalMs?: number;
  /** Capacity, i.e. the largest burst (default `rate`, at least 1). */
  burst?: number;
  /** Longest a caller may wait for a token (default 0: reject at once). */
  maxWaitMs?: number;
  clock?: Clock;
  scheduler?: Scheduler;
}

/** Limits the rate of executions. */
export class TokenBucketPolicy implements Policy {
  private tokens: number;
  private updatedAt: number;
  private readonly msPerToken: number;
  private readonly burst: number;
  private readonly maxWaitMs: number;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;

  constructor(opts: TokenBucketOptions) {
    const intervalMs = opts.intervalMs ?? 1000;
    if (!(opts.rate > 0) || !(intervalMs > 0)) {
      throw new RangeError("tokenBucket: rate and intervalMs must be > 0");
    }
    this.msPerToken = intervalMs / opts.rate;
    this.burst = opts.burst ?? Math.max(1, opts.rate);
    if (!(this.burst >= 1)) throw new RangeError("tokenBucket: burst must be >= 1");
    this.maxWaitMs = opts.maxWaitMs ?? 0;
    this.clock = opts.clock ?? systemClock;
    this.scheduler = opts.scheduler ?? systemScheduler;
    this.tokens = this.burst;
    this.updatedAt = this.clock.now();
  }

  /** Tokens available now (negative while waiters hold reservations). */
  get available(): number {
    this.refill();
    return this.tokens;
  }

  /**
   * Takes a token if one is available now and returns 0; otherwise takes
   * nothing and returns the ms until one will be.
   */
  tryTake(): number {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) * this.msPerToken);
  }

  /**
   * Takes `count` tokens: at once when there are enough, else after waiting for
   * them when that is within `maxWaitMs` (reserved up front, returned on abort),
   * else takes nothing and rejects with the wait. For work that makes several
   * calls under one execution (pages, a fan-out).
   */
  async take(count: number, maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortReason(signal);
    this.refill();
    if (this.tokens >= count) {
      this.tokens -= count;
      return;
    }
    const waitMs = Math.ceil((count - this.tokens) * this.msPerToken);
    if (waitMs > maxWaitMs) throw TokenBucketRejectedError.fast(waitMs);
    this.tokens -= count;
    try {
      await sleep(waitMs, this.scheduler, signal);
    } catch (error) {
      this.tokens += count;
      throw error;
    }
  }

  async execute<T>(work: Work<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw abortReason(signal);
    const waitMs = this.tryTake();
    if (waitMs > 0) {
      if (waitMs > this.maxWaitMs) throw TokenBucketRejectedError.fast(waitMs);
      this.tokens -= 1;
      try {
        await sleep(waitMs, this.scheduler, signal);
      } catch (error) {
        this.tokens += 1;
        throw error;
      }
    }
    return work(signal ?? neverAbortedSignal);
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = now - this.updatedAt;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + elapsed / this.msPerToken);
    }
    this.updatedAt = now;
  }
}

/** Creates a TokenBucketPolicy. */
export function tokenBucket(opts: TokenBucketOptions): TokenBucketPolicy {
  return new TokenBucketPolicy(opts);
}
