/**
 * Seed-style decorators: each takes options and returns a function that wraps
 * work into a callable `(signal?) => Promise<T>`, which is itself valid work,
 * so they nest like the seed's Python decorators:
 *
 * ```ts
 * const callExternalApi = withRetry({ maxAttempts: 3 })(
 *   withCircuitBreaker("external_api", { failureThreshold: 5 })(async (signal) => { … }),
 * );
 * ```
 * @module
 */
import { CircuitBreaker } from "./breaker/circuitBreaker.ts";
import type { CircuitBreakerOptions } from "./breaker/options.ts";
import { type BulkheadOptions, BulkheadPolicy } from "./bulkhead.ts";
import { type FallbackFn, type FallbackOptions, FallbackPolicy } from "./fallback.ts";
import { type BreakerRegistry, breakerRegistry } from "./registry.ts";
import { type RetryOptions, RetryPolicy } from "./retry.ts";
import { type TimeoutOptions, TimeoutPolicy } from "./timeout.ts";
import { type TokenBucketOptions, TokenBucketPolicy } from "./tokenBucket.ts";
import type { Policy, Work } from "./types.ts";

/** Work wrapped by a decorator: the signal is optional for the outermost caller. */
export type Wrapped<T> = (signal?: AbortSignal) => Promise<T>;

/** A decorator produced by the `with*` functions. */
export type Decorator = <T>(work: Work<T>) => Wrapped<T>;

/** Wraps work with any policy. */
export function withPolicy(policy: Policy): Decorator {
  return (work) => (signal) => policy.execute(work, signal);
}

/** Retry decorator (`maxAttempts` counts the first attempt). */
export function withRetry(opts: RetryOptions = {}): Decorator {
  return withPolicy(new RetryPolicy(opts));
}

/**
 * Circuit breaker decorator. With a name, the breaker is taken from (or
 * created in) `registry` (default: `breakerRegistry`); a CircuitBreaker
 * instance is used as is.
 */
export function withCircuitBreaker(
  nameOrBreaker: string | CircuitBreaker,
  opts: CircuitBreakerOptions & { registry?: BreakerRegistry } = {},
): Decorator {
  if (nameOrBreaker instanceof CircuitBreaker) return withPolicy(nameOrBreaker);
  const { registry = breakerRegistry, ...breakerOpts } = opts;
  return withPolicy(registry.getOrCreate(nameOrBreaker, breakerOpts));
}

/** Timeout decorator: `withTimeout(5000)` or `withTimeout({ ms: 5000, mode: "aggressive" })`. */
export function withTimeout(msOrOpts: number | (TimeoutOptions & { ms: number })): Decorator {
  const policy =
    typeof msOrOpts === "number"
      ? new TimeoutPolicy(msOrOpts)
      : new TimeoutPolicy(msOrOpts.ms, msOrOpts);
  return withPolicy(policy);
}

/** Bulkhead decorator. */
export function withBulkhead(opts: BulkheadOptions): Decorator {
  return withPolicy(new BulkheadPolicy(opts));
}

/** Token bucket decorator. */
export function withTokenBucket(opts: TokenBucketOptions): Decorator {
  return withPolicy(new TokenBucketPolicy(opts));
}

/** Fallback decorator: a value, or a function of the error, replaces handled failures. */
export function withFallback<F>(
  fn: FallbackFn<F>,
  opts: FallbackOptions = {},
): <T>(work: Work<T>) => Wrapped<T | F> {
  const policy = new FallbackPolicy(fn, opts);
  return (work) => (signal) => policy.execute(work, signal);
}
