/**
 * Fair bulkhead: a bulkhead whose waiters are grouped by a key (who asked),
 * and a freed slot goes to the keys in turn instead of to the oldest waiter.
 * One key's burst then waits behind everyone else's next request rather than
 * in front of it. Within one key, waiters keep their arrival order.
 *
 * Room in the queue is shared the same way: a per-key cap bounds one key's
 * waiters, and when the queue is full, a caller whose key has fewer waiters
 * than the longest queue takes the place of that queue's newest waiter, which
 * is refused as if it had found the queue full (longest-queue drop). Two
 * heavy keys at their caps cannot keep a third one out.
 * @module
 */
import { BulkheadRejectedError } from "./errors.ts";
import { systemScheduler } from "./scheduler.ts";
import { abortReason, neverAbortedSignal } from "./signals.ts";
import type { Scheduler, Work } from "./types.ts";

/** Options of FairBulkheadPolicy. */
export interface FairBulkheadOptions {
  /** Executions allowed at once (≥ 1). */
  maxConcurrent: number;
  /** Callers allowed to wait, all keys together (≥ 0). */
  maxQueue: number;
  /** Callers of one key allowed to wait (default: `maxQueue`). */
  maxQueuePerKey?: number;
  /** Longest wait in the queue in ms (default: unbounded). */
  queueTimeoutMs?: number;
  scheduler?: Scheduler;
}

interface Waiter {
  grant(): void;
  /** Leaves the queue, refused as if it had been full. */
  evict(): void;
}

/** Limits concurrency, with a bounded queue served round-robin across keys. */
export class FairBulkheadPolicy {
  private running = 0;
  private waiting = 0;
  /** Waiters per key; the map's order is the turn order (a served key moves to the back). */
  private readonly queues = new Map<string, Waiter[]>();
  private readonly maxConcurrent: number;
  private readonly maxQueue: number;
  private readonly maxQueuePerKey: number;
  private readonly scheduler: Scheduler;

  constructor(private readonly opts: FairBulkheadOptions) {
    this.maxConcurrent = opts.maxConcurrent;
    this.maxQueue = opts.maxQueue;
    this.maxQueuePerKey = opts.maxQueuePerKey ?? opts.maxQueue;
    if (!(this.maxConcurrent >= 1) || !(this.maxQueue >= 0) || !(this.maxQueuePerKey >= 0)) {
      throw new RangeError("bulkhead: maxConcurrent must be >= 1 and the queue sizes >= 0");
    }
    this.scheduler = opts.scheduler ?? systemScheduler;
  }

  /** Executions running now. */
  get active(): number {
    return this.running;
  }

  /** Callers waiting now, all keys together. */
  get queued(): number {
    return this.waiting;
  }

  /** Runs `work` for `key` when a slot is free; rejects with reason `full` when it cannot wait. */
  async execute<T>(key: string, work: Work<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw abortReason(signal);
    const mine = this.queues.get(key)?.length ?? 0;
    if (this.running < this.maxConcurrent) {
      this.running++;
    } else if (
      mine < this.maxQueuePerKey &&
      (this.waiting < this.maxQueue || this.makeRoom(mine))
    ) {
      await this.wait(key, signal);
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

  /**
   * Frees a place in a full queue for a key with `mine` waiters: the newest waiter of the
   * longest queue goes, when that queue would still be at least as long as the caller's.
   */
  private makeRoom(mine: number): boolean {
    let longest: Waiter[] | undefined;
    for (const waiters of this.queues.values()) {
      if (!longest || waiters.length > longest.length) longest = waiters;
    }
    if (!longest || longest.length <= mine + 1) return false;
    (longest[longest.length - 1] as Waiter).evict();
    return true;
  }

  /** Hands the slot to the head of the next key's queue, or frees it. */
  private release(): void {
    const turn = this.queues.entries().next();
    if (turn.done) {
      this.running--;
      return;
    }
    const [key, waiters] = turn.value;
    // To the back of the turn order (or out of it): the next slot goes to another key.
    this.queues.delete(key);
    const next = waiters[0] as Waiter;
    if (waiters.length > 1) this.queues.set(key, waiters);
    next.grant();
  }

  private wait(key: string, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: unknown;
      const leave = () => {
        const waiters = this.queues.get(key);
        const index = waiters?.indexOf(waiter) ?? -1;
        if (waiters && index >= 0) {
          waiters.splice(index, 1);
          if (waiters.length === 0) this.queues.delete(key);
        }
        this.waiting--;
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
        evict: () => {
          leave();
          reject(BulkheadRejectedError.fast("full"));
        },
      };
      const waiters = this.queues.get(key);
      if (waiters) waiters.push(waiter);
      else this.queues.set(key, [waiter]);
      this.waiting++;
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

/** Creates a FairBulkheadPolicy. */
export function fairBulkhead(opts: FairBulkheadOptions): FairBulkheadPolicy {
  return new FairBulkheadPolicy(opts);
}
