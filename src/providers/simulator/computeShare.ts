/**
 * A cap on the share of the event loop that simulated bar computation takes.
 * Bars are computed in slices (chunkedBars.ts), so other requests already run
 * between slices; but a few viewers asking for cold year-long series (~40 ms
 * of CPU each, inside their rate limits) could still keep the only JavaScript
 * thread busy most of the time, and every quote, login and health check
 * shared what was left. Here slices spend from a bucket of compute
 * milliseconds that refills at {@link ComputeShareOptions.share} of wall time:
 * an occasional long request runs at full speed (the burst), a sustained flood
 * of them is paced to that share, and a slice that cannot start within
 * `maxWaitMs` ends its request as a busy simulator (a 503 with Retry-After).
 * @module
 */
import { nextTurn } from "../../clock/index.ts";
import {
  abortReason,
  type Clock,
  type Scheduler,
  sleep,
  systemScheduler,
} from "../../resilience/index.ts";

const monotonicClock: Clock = { now: () => performance.now() };

/** Options of {@link createComputeShare}. */
export interface ComputeShareOptions {
  /** Fraction of wall time bar slices may use in the long run (default 0.5). */
  share?: number;
  /** Compute milliseconds that may be spent at once, from idle (default 250). */
  burstMs?: number;
  /** Longest a slice waits for its turn before the request is refused (default 5 000). */
  maxWaitMs?: number;
  /**
   * Compute milliseconds after which no further slice starts in the same turn of the loop,
   * so pending I/O gets one (default 10; a slice that started runs to its end):
   * requests arriving together each start a slice in the same turn of the loop, and the
   * burst alone let them hold it for its whole 250 ms.
   */
  perTurnMs?: number;
  clock?: Clock;
  scheduler?: Scheduler;
  /** Reads elapsed compute time in ms (default `performance.now`). */
  meter?: () => number;
}

/** Thrown when a slice waited `maxWaitMs` without a share of the loop. */
export class ComputeShareExhaustedError extends Error {
  override readonly name = "ComputeShareExhaustedError";
  readonly computeShareExhausted = true;
}

/** True for {@link ComputeShareExhaustedError}. */
export const isComputeShareExhausted = (error: unknown): error is ComputeShareExhaustedError =>
  error instanceof Error &&
  (error as Partial<ComputeShareExhaustedError>).computeShareExhausted === true;

/** Paces slices of CPU-bound work to a share of wall time. */
export interface ComputeShare {
  /**
   * Runs one slice when the bucket has compute left, waiting (bounded) until it
   * refills; charges the slice's measured time. Rejects with the caller's abort
   * reason, or {@link ComputeShareExhaustedError} after `maxWaitMs`.
   */
  run<T>(slice: () => T, signal: AbortSignal): Promise<T>;
}

/** Creates a compute share; one per simulator, shared by all its bar requests. */
export function createComputeShare(options: ComputeShareOptions = {}): ComputeShare {
  const share = options.share ?? 0.5;
  const burstMs = options.burstMs ?? 250;
  const maxWaitMs = options.maxWaitMs ?? 5_000;
  // Monotonic by default: a wall clock stepped forward would refuse every waiting slice.
  const clock = options.clock ?? monotonicClock;
  const scheduler = options.scheduler ?? systemScheduler;
  const meter = options.meter ?? (() => performance.now());
  const perTurnMs = options.perTurnMs ?? 10;
  let available = burstMs;
  let refilledAt = clock.now();
  // Compute spent in the current turn of the loop; reset by an immediate queued before
  // any slice that yields, so the yielded slices find it reset.
  let spentThisTurn = 0;
  let resetQueued = false;
  const charge = (ms: number) => {
    available -= ms;
    spentThisTurn += ms;
    if (!resetQueued) {
      resetQueued = true;
      setImmediate(() => {
        spentThisTurn = 0;
        resetQueued = false;
      });
    }
  };

  const refill = () => {
    const now = clock.now();
    // A clock stepped back refills nothing, and never drains.
    available = Math.min(burstMs, available + Math.max(0, now - refilledAt) * share);
    refilledAt = now;
  };

  return {
    async run(slice, signal) {
      const deadline = clock.now() + maxWaitMs;
      for (;;) {
        // Checked after every wait: slices woken together by one timer must not run back to
        // back past the turn's cap.
        while (spentThisTurn >= perTurnMs) {
          await nextTurn();
          if (signal.aborted) throw abortReason(signal);
        }
        refill();
        if (available > 0) break;
        // Until the debt is repaid, plus a little so a wake-up does not find it still owing.
        const wait = Math.ceil(-available / share) + 1;
        if (clock.now() + wait > deadline) throw new ComputeShareExhaustedError("simulator busy");
        await sleep(wait, scheduler, signal);
      }
      const started = meter();
      try {
        return slice();
      } finally {
        // Charged after the fact: a slice may take the bucket below zero, by one slice at most.
        charge(Math.max(0, meter() - started));
      }
    },
  };
}
