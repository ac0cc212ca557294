/**
 * AbortSignal plumbing shared by the policies. Every listener added here is
 * removed when the operation it guards settles, so nothing accumulates on a
 * long-lived caller signal across retries (cockatiel #69/#81).
 * @module
 */
import type { Scheduler } from "./types.ts";

/** Handed to work when the caller gave no signal. Never aborts. */
export const neverAbortedSignal: AbortSignal = new AbortController().signal;

/** The reason to reject with when `signal` aborted. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted.", "AbortError");
}

/**
 * Waits `ms` on `scheduler`; rejects with the caller's abort reason as soon as
 * `signal` aborts, clearing the timer and the listener either way.
 */
export function sleep(ms: number, scheduler: Scheduler, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      scheduler.clearTimeout(handle);
      signal?.removeEventListener("abort", onAbort);
      reject(abortReason(signal as AbortSignal));
    };
    const handle = scheduler.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
