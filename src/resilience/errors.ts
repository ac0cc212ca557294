/**
 * Branded error classes with type guards (cockatiel style): `instanceof` breaks
 * across duplicated module copies, a brand property does not.
 *
 * Rejections on the hot path (open circuit, full bulkhead, empty bucket) are
 * built without capturing a stack: the stack says nothing useful (it is always
 * this module) and capturing it dominates the cost of a rejection.
 * @module
 */

/**
 * Builds an instance of `ctor` without running the Error constructor, so no
 * stack is captured (~60 ns instead of ~900 ns on Bun). `fields` must include
 * every own field the constructor would set, brand included.
 */
function stackless<E extends Error>(ctor: abstract new (...args: never[]) => E, fields: object): E {
  const e = Object.assign(Object.create(ctor.prototype) as E, fields);
  e.stack = `${e.name}: ${e.message}`;
  return e;
}

const brand = (e: unknown, key: string): boolean =>
  typeof e === "object" && e !== null && (e as Record<string, unknown>)[key] === true;

/** The circuit is open (or half-open with every probe slot taken). */
export class BrokenCircuitError extends Error {
  readonly isBrokenCircuitError = true;
  override readonly name: string = "BrokenCircuitError";
  /** Milliseconds until the breaker will admit a call again (0 = try now). */
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number, message = "Circuit is open") {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
  /** A rejection without a captured stack. */
  static fast(retryAfterMs: number, message?: string): BrokenCircuitError {
    return stackless(BrokenCircuitError, {
      isBrokenCircuitError: true,
      name: "BrokenCircuitError",
      message: message ?? "Circuit is open",
      retryAfterMs,
    });
  }
}

/** The circuit was isolated by hand and rejects every call until released. */
export class IsolatedCircuitError extends BrokenCircuitError {
  readonly isIsolatedCircuitError = true;
  override readonly name: string = "IsolatedCircuitError";
  constructor() {
    super(Number.POSITIVE_INFINITY, "Circuit is isolated");
  }
  static override fast(): IsolatedCircuitError {
    return stackless(IsolatedCircuitError, {
      isBrokenCircuitError: true,
      isIsolatedCircuitError: true,
      name: "IsolatedCircuitError",
      message: "Circuit is isolated",
      retryAfterMs: Number.POSITIVE_INFINITY,
    });
  }
}

/** The timeout policy's deadline passed before the work finished. */
export class TimeoutError extends Error {
  readonly isTimeoutError = true;
  override readonly name = "TimeoutError";
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`Operation timed out after ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** Why a bulkhead turned a caller away. */
export type BulkheadRejection = "full" | "queue_timeout";

/** The bulkhead had no free slot and no queue room, or the queue wait ran out. */
export class BulkheadRejectedError extends Error {
  readonly isBulkheadRejectedError = true;
  override readonly name = "BulkheadRejectedError";
  readonly reason: BulkheadRejection;
  constructor(reason: BulkheadRejection) {
    super(reason === "full" ? "Bulkhead is full" : "Bulkhead queue wait timed out");
    this.reason = reason;
  }
  static fast(reason: BulkheadRejection): BulkheadRejectedError {
    return stackless(BulkheadRejectedError, {
      isBulkheadRejectedError: true,
      name: "BulkheadRejectedError",
      message: reason === "full" ? "Bulkhead is full" : "Bulkhead queue wait timed out",
      reason,
    });
  }
}

/** The token bucket had no token within the allowed wait. */
export class TokenBucketRejectedError extends Error {
  readonly isTokenBucketRejectedError = true;
  override readonly name = "TokenBucketRejectedError";
  /** Milliseconds until a token will be available. */
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super("Rate limit exceeded");
    this.retryAfterMs = retryAfterMs;
  }
  static fast(retryAfterMs: number): TokenBucketRejectedError {
    return stackless(TokenBucketRejectedError, {
      isTokenBucketRejectedError: true,
      name: "TokenBucketRejectedError",
      message: "Rate limit exceeded",
      retryAfterMs,
    });
  }
}

/** True for BrokenCircuitError and its subclass IsolatedCircuitError. */
export const isBrokenCircuitError = (e: unknown): e is BrokenCircuitError =>
  brand(e, "isBrokenCircuitError");
/** True for IsolatedCircuitError. */
export const isIsolatedCircuitError = (e: unknown): e is IsolatedCircuitError =>
  brand(e, "isIsolatedCircuitError");
/** True for TimeoutError (never for a caller's abort). */
export const isTimeoutError = (e: unknown): e is TimeoutError => brand(e, "isTimeoutError");
/** True for BulkheadRejectedError. */
export const isBulkheadRejectedError = (e: unknown): e is BulkheadRejectedError =>
  brand(e, "isBulkheadRejectedError");
/** True for TokenBucketRejectedError. */
export const isTokenBucketRejectedError = (e: unknown): e is TokenBucketRejectedError =>
  brand(e, "isTokenBucketRejectedError");

/**
 * Milliseconds an error asks the caller to wait before retrying, when it says:
 * our own rejections (`retryAfterMs`) and anything else that carries a finite,
 * non-negative `retryAfterMs` (e.g. a provider's 429 mapped by its adapter).
 */
export function retryAfterOf(e: unknown): number | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const ms = (e as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof ms === "number" && ms >= 0 && Number.isFinite(ms) ? ms : undefined;
}
