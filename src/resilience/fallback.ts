/**
 * Fallback: when the work fails with a handled error, answer from `fallback`
 * instead (e.g. recent cached data marked stale). A caller abort is never
 * replaced by a fallback: the caller asked to stop.
 * @module
 */
import { neverAbortedSignal } from "./signals.ts";
import type { Work } from "./types.ts";

/** Produces the substitute value from the error. */
export type FallbackFn<F> = (error: unknown) => F | Promise<F>;

/** Options of FallbackPolicy. */
export interface FallbackOptions {
  /** Which errors are replaced (default: all). */
  shouldHandle?: (error: unknown) => boolean;
}

/** Replaces handled failures with a fallback value. */
export class FallbackPolicy<F> {
  constructor(
    private readonly fallback: FallbackFn<F>,
    private readonly opts: FallbackOptions = {},
  ) {}

  async execute<T>(work: Work<T>, signal?: AbortSignal): Promise<T | F> {
    try {
      return await work(signal ?? neverAbortedSignal);
    } catch (error) {
      if (signal?.aborted) throw error;
      if (this.opts.shouldHandle && !this.opts.shouldHandle(error)) throw error;
      return this.fallback(error);
    }
  }
}

/** Creates a FallbackPolicy from a value or a function of the error. */
export function fallback<F>(
  value: FallbackFn<F> | F,
  opts: FallbackOptions = {},
): FallbackPolicy<F> {
  const fn: FallbackFn<F> =
    typeof value === "function" ? (value as FallbackFn<F>) : () => value as F;
  return new FallbackPolicy(fn, opts);
}
