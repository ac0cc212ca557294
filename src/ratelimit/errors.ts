/**
 * The one error a rate-limit store raises when it cannot decide, and how the
 * HTTP layer answers it: 503 `rate_limiter_unavailable` with `Retry-After`.
 * @module
 */
import { ApiError } from "../http/errors.ts";

/** Why a store could not decide. */
export type StoreUnavailableReason =
  | "not_connected"
  | "timeout"
  | "script_error"
  | "command_error"
  | "closed";

/**
 * The store could not give a timely, trustworthy answer. Callers outside
 * development must fail closed: the request is refused, never admitted.
 * The message carries no connection details (no URL, no password).
 */
export class StoreUnavailableError extends Error {
  readonly isStoreUnavailableError = true;
  constructor(readonly reason: StoreUnavailableReason) {
    super(`rate-limit store unavailable: ${reason}`);
    this.name = "StoreUnavailableError";
  }
}

/** True when `e` is a {@link StoreUnavailableError}, even across bundle copies. */
export const isStoreUnavailableError = (e: unknown): e is StoreUnavailableError =>
  e instanceof Error &&
  "isStoreUnavailableError" in e &&
  (e as StoreUnavailableError).isStoreUnavailableError === true;

/** Seconds a client should wait before retrying when the store is down. */
export const STORE_UNAVAILABLE_RETRY_AFTER_S = 1;

/** The pinned 503 for a store failure; extra headers (e.g. `RateLimit-Policy`) are merged in. */
export function rateLimiterUnavailable(headers: Record<string, string> = {}): ApiError {
  return new ApiError("rate_limiter_unavailable", {
    headers: { ...headers, "Retry-After": String(STORE_UNAVAILABLE_RETRY_AFTER_S) },
  });
}
