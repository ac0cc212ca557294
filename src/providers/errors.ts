/**
 * The one error type adapters throw. Branded (cockatiel style) so it survives
 * duplicated module copies; `retryAfterMs` is read by the retry policy
 * (`retryAfterOf`) to honour a provider's Retry-After.
 * @module
 */

/**
 * What went wrong, coarse enough to decide retry, breaker and HTTP status.
 * `rejected` is a 4xx about this request (its symbol, range or our plan's
 * access to it): not retried, and not a sign of the provider's health, so it
 * never counts toward the breaker — one caller's input must not open it for all.
 */
export type ProviderErrorKind =
  | "unavailable"
  | "rate_limited"
  | "bad_response"
  | "not_found"
  | "rejected"
  | "auth";

/** Options of {@link ProviderError}. */
export interface ProviderErrorOptions {
  /** HTTP status of the provider's answer, when there was one. */
  status?: number;
  /** How long the provider asked us to wait. */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * A failed provider call. Messages never contain credentials: adapters put
 * keys in headers or pass URLs through `redactUrl` before building messages.
 */
export class ProviderError extends Error {
  readonly isProviderError = true;
  override readonly name = "ProviderError";
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly provider: string,
    readonly kind: ProviderErrorKind,
    message: string,
    options: ProviderErrorOptions = {},
  ) {
    super(
      `${provider}: ${message}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** Whether another attempt may succeed (server trouble, rate limits). */
  get retryable(): boolean {
    return this.kind === "unavailable" || this.kind === "rate_limited";
  }
}

/** True when `e` is a {@link ProviderError}. */
export const isProviderError = (e: unknown): e is ProviderError =>
  typeof e === "object" &&
  e !== null &&
  (e as { isProviderError?: unknown }).isProviderError === true;
