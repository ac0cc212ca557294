/**
 * In-house resilience primitives: circuit breaker, retry, timeout, bulkhead,
 * token bucket, fallback, and their composition. Semantics, defaults and the
 * comparison with cockatiel/Polly/resilience4j: docs/resilience.md.
 * @module
 */
export {
  type Backoff,
  constantBackoff,
  type DelaySequence,
  delegateBackoff,
  type ExponentialBackoffOptions,
  exponentialBackoff,
  type Jitter,
  spreadByQuarter,
} from "./backoff.ts";
export { CircuitBreaker, circuitBreaker } from "./breaker/circuitBreaker.ts";
export type { DetectorCounts } from "./breaker/detector.ts";
export type { CircuitBreakerOptions, WindowOptions } from "./breaker/options.ts";
export type {
  BreakerCounts,
  BreakerJSON,
  BreakerSnapshot,
  CircuitState,
  IsolationHandle,
  StateChange,
} from "./breaker/state.ts";
export { type BulkheadOptions, BulkheadPolicy, bulkhead } from "./bulkhead.ts";
export {
  BrokenCircuitError,
  BulkheadRejectedError,
  type BulkheadRejection,
  IsolatedCircuitError,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isIsolatedCircuitError,
  isTimeoutError,
  isTokenBucketRejectedError,
  retryAfterOf,
  TimeoutError,
  TokenBucketRejectedError,
} from "./errors.ts";
export {
  type FairBulkheadOptions,
  FairBulkheadPolicy,
  fairBulkhead,
} from "./fairBulkhead.ts";
export { type FallbackFn, type FallbackOptions, FallbackPolicy, fallback } from "./fallback.ts";
export { ManualScheduler } from "./manualScheduler.ts";
export { PipelinePolicy, type PolicyLike, pipeline } from "./pipeline.ts";
export { BreakerRegistry, breakerRegistry } from "./registry.ts";
export { type RetryEvent, type RetryOptions, RetryPolicy, retry } from "./retry.ts";
export { RetryBudget, type RetryBudgetOptions } from "./retryBudget.ts";
export { systemClock, systemScheduler } from "./scheduler.ts";
export { abortReason, neverAbortedSignal, sleep } from "./signals.ts";
export { type TimeoutMode, type TimeoutOptions, TimeoutPolicy, timeout } from "./timeout.ts";
export { type TokenBucketOptions, TokenBucketPolicy, tokenBucket } from "./tokenBucket.ts";
export type { Clock, Policy, Scheduler, TimeOptions, Work } from "./types.ts";
export {
  type Decorator,
  type Wrapped,
  withBulkhead,
  withCircuitBreaker,
  withFallback,
  withPolicy,
  withRetry,
  withTimeout,
  withTokenBucket,
} from "./wrappers.ts";
