/**
 * A retry budget: retries are allowed only while they stay under a ratio of
 * the calls made recently (plus a small floor so a quiet service can still
 * retry). Share one budget between every retry policy that talks to the same
 * provider, so a degraded provider sees at most `1 + ratio` times its normal
 * load instead of `maxAttempts` times (Envoy/Finagle retry budgets).
 * @module
 */
import { RollingWindow } from "./rollingWindow.ts";
import { systemClock } from "./scheduler.ts";
import type { Clock } from "./types.ts";

/** Options of RetryBudget. */
export interface RetryBudgetOptions {
  /** Retries allowed per first attempt in the window (default 0.2). */
  ratio?: number;
  /** Retries always allowed per window, whatever the traffic (default 3). */
  minRetries?: number;
  /** Length of the sliding window in ms (default 10 000). */
  windowMs?: number;
  clock?: Clock;
}

const CALLS = 0;
const RETRIES = 1;

/** Counts calls and retries over a sliding window and says whether one more retry fits. */
export class RetryBudget {
  private readonly window: RollingWindow;
  private readonly ratio: number;
  private readonly minRetries: number;
  private readonly clock: Clock;

  constructor(opts: RetryBudgetOptions = {}) {
    this.ratio = opts.ratio ?? 0.2;
    this.minRetries = opts.minRetries ?? 3;
    if (!(this.ratio >= 0) || !(this.minRetries >= 0)) {
      throw new RangeError("RetryBudget: ratio and minRetries must be >= 0");
    }
    this.window = new RollingWindow(opts.windowMs ?? 10_000, 10, 2);
    this.clock = opts.clock ?? systemClock;
  }

  /** Records a first attempt (a deposit). */
  recordCall(): void {
    this.window.add(this.clock.now(), CALLS);
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryRetry(): boolean {
    const now = this.clock.now();
    const retries = this.window.sum(now, RETRIES);
    const allowed = this.minRetries + this.ratio * this.window.sum(now, CALLS);
    if (retries + 1 > allowed) return false;
    this.window.add(now, RETRIES);
    return true;
  }

  /** Calls and retries currently inside the window. */
  snapshot(): { calls: number; retries: number } {
    const now = this.clock.now();
    return { calls: this.window.sum(now, CALLS), retries: this.window.sum(now, RETRIES) };
  }
}
