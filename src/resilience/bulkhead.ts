/**
 * Bulkhead: at most `maxConcurrent` executions at once, up to `maxQueue`
 * callers waiting in FIFO order, each for at most `queueTimeoutMs`. A queued
 * caller whose signal aborts leaves the queue at once (cockatiel removed them
 * only on reaching the head, #112). A finished execution hands its slot
 * directly to the head of the queue, so late arrivals cannot overtake.
 * @module
 */
import { BulkheadRejectedError } from "./errors.ts";
import { systemScheduler } from "./scheduler.ts";
import { abortReason, neverAbortedSignal } from "./signals.ts";
import type { Policy, Scheduler, Work } from "./types.ts";

/** Options of BulkheadPolicy. */
export interface BulkheadOptions {
  /** Executions allowed at once (≥ 1). */
  maxConcurrent: number;
  /** Callers allowed to wait for a slot (default 0: reject at once when full). */
  maxQueue?: number;
  /** Longest wait in the queue in ms (default: unbounded). */
  queueTimeoutMs?: number;
  scheduler?: Scheduler;
}

interface Waiter {
  grant(): void;
}

/** Limits concurrency, with a bounded FIFO queue. */
export class BulkheadPolicy implements Policy {
  private running = 0;
  private readonly queue: Waiter[] = [];
  private readonly maxConcurrent: number;
  private readonly maxQueue: number;
  private readonly scheduler: Scheduler;

  constructor(private readonly opts: BulkheadOptions) {
    this.maxConcurrent = opts.maxConcurrent;
    this.maxQueue = opts.maxQueue ?? 0;
    if (!(this.maxConcurrent >= 1) || !(this.maxQueue >= 0)) {
      throw new RangeError("bulkhead: maxConcurrent must be >= 1 and maxQueue >= 0");
    }
    this.scheduler = opts.scheduler ?? systemScheduler;
  }

  /** Executions running now. */
  get active(): number {
    return this.running;
  }

  /** Callers waiting now. */
  get queued(): number {
    return this.queue.length;
  }

  async execute<T>(work: Work<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw abortReason(signal);
    if (this.running < this.maxConcurrent) {
      this.running++;
    } else if (this.queue.length < this.maxQueue) {
      await this.wait(signal);
      // The slot is ours now; a caller that aborted meanwhile gives it back.
      if (signal?.aborted) {
        this.release();
        throw abortReason(signal);
      }
    } else {
      throw BulkheadRejectedError.fast("full");
    }
    try {
      return await work(signal ?? neverAbortedSignal);
    } finally {
      this.release();
    }
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next.grant();
    else this.running--;
  }

  private wait(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: unknown;
      const leave = () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        signal?.removeEventListener("abort", onAbort);
        if (timer !== undefined) this.scheduler.clearTimeout(timer);
      };
      const onAbort = () => {
        leave();
        reject(abortReason(signal as AbortSignal));
      };
      const waiter: Waiter = {
        grant: () => {
          leave();
          resolve();
        },
      };
      this.queue.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
      const limit = this.opts.queueTimeoutMs;
      if (limit !== undefined) {
        timer = this.scheduler.setTimeout(() => {
          timer = undefined;
          leave();
          reject(BulkheadRejectedError.fast("queue_timeout"));
        }, limit);
      }
    });
  }
}

/** Creates a BulkheadPolicy. */
export function bulkhead(opts: BulkheadOptions): BulkheadPolicy {
  return new BulkheadPolicy(opts);
}
