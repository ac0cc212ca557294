/**
 * Bulkhead: at most `maxConcurrent` executions at once, up to `maxQueue`
 * callers waiting in FIFO order, each for at most `queueTimeoutMs`. A queued
 * caller whose signal aborts leaves the queue at once (cockatiel removed them
 * only on reaching the head, #112). A finished execution hands its slot
 * directly to the head of the queue, so late arrivals cannot overtake.
 * It is the fair bulkhead (fairBulkhead.ts) with every caller under one key.
 * @module
 */
import { FairBulkheadPolicy } from "./fairBulkhead.ts";
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

/** Limits concurrency, with a bounded FIFO queue. */
export class BulkheadPolicy implements Policy {
  private readonly slots: FairBulkheadPolicy;

  constructor(opts: BulkheadOptions) {
    this.slots = new FairBulkheadPolicy({ ...opts, maxQueue: opts.maxQueue ?? 0 });
  }

  /** Executions running now. */
  get active(): number {
    return this.slots.active;
  }

  /** Callers waiting now. */
  get queued(): number {
    return this.slots.queued;
  }

  execute<T>(work: Work<T>, signal?: AbortSignal): Promise<T> {
    return this.slots.execute("", work, signal);
  }
}

/** Creates a BulkheadPolicy. */
export function bulkhead(opts: BulkheadOptions): BulkheadPolicy {
  return new BulkheadPolicy(opts);
}
