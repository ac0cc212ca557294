/**
 * Timeouts. The work gets a child signal that aborts when the deadline passes
 * (reason: a TimeoutError) or when the caller aborts (reason: the caller's).
 *
 * - cooperative (default): waits for the work to settle; a failure after the
 *   deadline is reported as TimeoutError, a success is kept (Polly v8).
 * - aggressive: settles at the deadline even if the work ignores its signal
 *   (the work keeps running; its late outcome is dropped).
 *
 * The child signal is NOT aborted after a successful return unless
 * `abortOnReturn` is set: a returned fetch Response must stay readable
 * (cockatiel #72).
 * @module
 */
import { TimeoutError } from "./errors.ts";
import { systemScheduler } from "./scheduler.ts";
import { abortReason } from "./signals.ts";
import type { Policy, Scheduler, Work } from "./types.ts";

/** How a timeout ends the call. */
export type TimeoutMode = "cooperative" | "aggressive";

/** Options of TimeoutPolicy. */
export interface TimeoutOptions {
  /** Default "cooperative". */
  mode?: TimeoutMode;
  /** Abort the child signal once the work returned (default false). */
  abortOnReturn?: boolean;
  scheduler?: Scheduler;
}

/** Bounds how long one execution may take. */
export class TimeoutPolicy implements Policy {
  private readonly aggressive: boolean;
  private readonly abortOnReturn: boolean;
  private readonly scheduler: Scheduler;

  constructor(
    readonly ms: number,
    opts: TimeoutOptions = {},
  ) {
    if (!(ms > 0) || !Number.isFinite(ms))
      throw new RangeError("timeout: ms must be a finite number > 0");
    this.aggressive = opts.mode === "aggressive";
    this.abortOnReturn = opts.abortOnReturn ?? false;
    this.scheduler = opts.scheduler ?? systemScheduler;
  }

  execute<T>(work: Work<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return this.aggressive ? this.race(work, signal) : this.cooperate(work, signal);
  }

  private async cooperate<T>(work: Work<T>, signal?: AbortSignal): Promise<T> {
    const controller = new AbortController();
    let timedOut = false;
    const onAbort = () => controller.abort(abortReason(signal as AbortSignal));
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = this.scheduler.setTimeout(() => {
      timedOut = true;
      controller.abort(new TimeoutError(this.ms));
    }, this.ms);
    let returned = false;
    try {
      const result = await work(controller.signal);
      returned = true;
      return result;
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (timedOut) throw controller.signal.reason;
      throw error;
    } finally {
      this.scheduler.clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (returned && this.abortOnReturn) controller.abort();
    }
  }

  private race<T>(work: Work<T>, signal?: AbortSignal): Promise<T> {
    const controller = new AbortController();
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (): boolean => {
        if (settled) return false;
        settled = true;
        this.scheduler.clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        return true;
      };
      const onAbort = () => {
        const reason = abortReason(signal as AbortSignal);
        controller.abort(reason);
        if (finish()) reject(reason);
      };
      const timer = this.scheduler.setTimeout(() => {
        const error = new TimeoutError(this.ms);
        controller.abort(error);
        if (finish()) reject(error);
      }, this.ms);
      signal?.addEventListener("abort", onAbort, { once: true });
      let pending: Promise<T>;
      try {
        pending = work(controller.signal);
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => {
          if (!finish()) return;
          if (this.abortOnReturn) controller.abort();
          resolve(value);
        },
        (error) => {
          if (finish()) reject(error);
        },
      );
    });
  }
}

/** Creates a TimeoutPolicy of `ms` milliseconds. */
export function timeout(ms: number, opts: TimeoutOptions = {}): TimeoutPolicy {
  return new TimeoutPolicy(ms, opts);
}
