/**
 * Retry with backoff, outcome-supplied delays (Retry-After, a breaker's
 * retry-after), abortable sleeps and an optional shared retry budget.
 *
 * Counting rule: `maxAttempts` counts every attempt **including the first**
 * (resilience4j, and the seed's `with_retry(max_attempts=3)`): 3 means one
 * call plus at most two retries.
 * @module
 */
import { type Backoff, type DelaySequence, exponentialBackoff } from "./backoff.ts";
import { isIsolatedCircuitError, retryAfterOf } from "./errors.ts";
import type { RetryBudget } from "./retryBudget.ts";
import { systemClock, systemScheduler } from "./scheduler.ts";
import { abortReason, neverAbortedSignal, sleep } from "./signals.ts";
import { countOutcome, spanEvent } from "./telemetry.ts";
import type { Clock, Policy, Scheduler, Work } from "./types.ts";

/** What `onRetry` is told before each backoff sleep. */
export interface RetryEvent {
  /** Number of the retry about to run (1 = first retry, i.e. the 2nd attempt). */
  attempt: number;
  delayMs: number;
  /** The error that triggered the retry, when it was an error. */
  error?: unknown;
  /** The result that triggered the retry, when `shouldRetryResult` asked for it. */
  result?: unknown;
}

/** Options of RetryPolicy. */
export interface RetryOptions {
  /** Total attempts including the first (default 3). `Infinity` is allowed. */
  maxAttempts?: number;
  /** Delay generator (default exponential, decorrelated jitter, 128 ms base, 30 s cap). */
  backoff?: Backoff;
  /**
   * Longest sleep between attempts (default 30 000 ms). Backoff delays are
   * clamped to it; an outcome that asks for a longer wait ends the retries
   * (waiting less than a server's Retry-After would only earn another refusal).
   */
  maxDelayMs?: number;
  /** Whether an error is worth another attempt. Default: all but caller aborts and isolated circuits. */
  shouldRetry?: (error: unknown) => boolean;
  /** Whether a successful result should be retried (e.g. a 503 response). Default: never. */
  shouldRetryResult?: (result: unknown) => boolean;
  /**
   * A delay the failure asks for (e.g. parsed Retry-After). Consulted first;
   * when it returns undefined, a finite `retryAfterMs` on the error is used
   * (BrokenCircuitError, TokenBucketRejectedError, adapters' 429 errors);
   * otherwise the backoff decides.
   */
  delayFromError?: (error: unknown) => number | undefined;
  /** Same as delayFromError for results retried through `shouldRetryResult`. */
  delayFromResult?: (result: unknown) => number | undefined;
  /** Shared budget; when spent, the last failure is returned as is. */
  budget?: RetryBudget;
  /**
   * Time allowed for the whole execution, from its start (default none). A
   * retry whose sleep would end at or after it is not taken: the last failure
   * is returned as is, with the wait it asked for, instead of a sleep that an
   * outer timeout cuts short.
   */
  deadlineMs?: number;
  /** Time source for `deadlineMs` (default `Date.now`). */
  clock?: Clock;
  /** Called before each sleep. */
  onRetry?: (event: RetryEvent) => void;
  /** Label for telemetry (default "retry"). */
  name?: string;
  scheduler?: Scheduler;
}

const defaultShouldRetry = (error: unknown): boolean => !isIsolatedCircuitError(error);

/** Retries failed attempts of the work. */
export class RetryPolicy implements Policy {
  private readonly maxAttempts: number;
  private readonly maxDelayMs: number;
  private readonly backoff: Backoff;
  private readonly scheduler: Scheduler;
  private readonly shouldRetry: (error: unknown) => boolean;
  private readonly clock: Clock;

  constructor(private readonly opts: RetryOptions = {}) {
    this.maxAttempts = opts.maxAttempts ?? 3;
    if (!(this.maxAttempts >= 1)) throw new RangeError("retry: maxAttempts must be >= 1");
    this.maxDelayMs = opts.maxDelayMs ?? 30_000;
    this.backoff = opts.backoff ?? exponentialBackoff({ maxMs: this.maxDelayMs });
    this.scheduler = opts.scheduler ?? systemScheduler;
    this.shouldRetry = opts.shouldRetry ?? defaultShouldRetry;
    this.clock = opts.clock ?? systemClock;
  }

  async execute<T>(work: Work<T>, signal?: AbortSignal): Promise<T> {
    const workSignal = signal ?? neverAbortedSignal;
    this.opts.budget?.recordCall();
    const startedAt = this.clock.now();
    let sequence: DelaySequence | undefined;
    const delayOf = (attempt: number, outcomeDelay: number | undefined): number => {
      sequence ??= this.backoff();
      return outcomeDelay ?? Math.min(this.maxDelayMs, sequence(attempt));
    };
    for (let attempt = 1; ; attempt++) {
      if (workSignal.aborted) throw abortReason(workSignal);
      let event: RetryEvent;
      try {
        const result = await work(workSignal);
        if (!this.opts.shouldRetryResult?.(result)) return result;
        if (attempt >= this.maxAttempts) return result;
        const outcomeDelay = this.opts.delayFromResult?.(result);
        event = { attempt, delayMs: delayOf(attempt, outcomeDelay), result };
        if (!this.mayRetry(outcomeDelay, event.delayMs, startedAt)) return result;
      } catch (error) {
        // A caller abort ends everything and is reported as that abort.
        if (workSignal.aborted) throw abortReason(workSignal);
        if (attempt >= this.maxAttempts || !this.shouldRetry(error)) throw error;
        const outcomeDelay = this.opts.delayFromError?.(error) ?? retryAfterOf(error);
        event = { attempt, delayMs: delayOf(attempt, outcomeDelay), error };
        if (!this.mayRetry(outcomeDelay, event.delayMs, startedAt)) throw error;
      }
      this.announce(event);
      if (event.delayMs > 0) await sleep(event.delayMs, this.scheduler, signal);
    }
  }

  /** Outcome delay within bounds, the sleep inside the deadline, and room in the budget. */
  private mayRetry(outcomeDelay: number | undefined, delayMs: number, startedAt: number): boolean {
    if (outcomeDelay !== undefined && !(outcomeDelay <= this.maxDelayMs)) return false;
    const deadline = this.opts.deadlineMs;
    if (deadline !== undefined && this.clock.now() - startedAt + delayMs >= deadline) return false;
    return this.opts.budget?.tryRetry() ?? true;
  }

  private announce(event: RetryEvent): void {
    const name = this.opts.name ?? "retry";
    spanEvent("resilience.retry", {
      "resilience.policy": name,
      "resilience.retry.attempt": event.attempt,
      "resilience.retry.delay_ms": event.delayMs,
    });
    countOutcome({ "resilience.policy": name, "resilience.outcome": "retry" });
    this.opts.onRetry?.(event);
  }
}

/** Creates a RetryPolicy. */
export function retry(opts: RetryOptions = {}): RetryPolicy {
  return new RetryPolicy(opts);
}
