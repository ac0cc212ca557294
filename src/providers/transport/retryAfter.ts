/**
 * How long a refusing provider asks us to wait: `Retry-After` (seconds or an
 * HTTP date), else Alpaca's `X-Ratelimit-Reset` (Unix seconds when the
 * window resets). Undefined when neither says anything usable.
 *
 * Only the two forms RFC 9110 defines are read: digits, or a date with its
 * day and month names (`-5` or `1.5` are neither, though `Date.parse` takes
 * them as dates in the past). A wait is capped at an hour: a value years long
 * must not reach our clients' `Retry-After` or park a retry.
 * @module
 */

/** Longest wait taken from a provider. */
export const MAX_PROVIDER_WAIT_MS = 3_600_000;

const cap = (ms: number): number => Math.min(MAX_PROVIDER_WAIT_MS, Math.max(0, ms));

/** Milliseconds to wait according to the response headers, at `now`. */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const retryAfter = headers.get("retry-after")?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return cap(Number(retryAfter) * 1000);
    if (/^[A-Za-z]{3}/.test(retryAfter)) {
      const date = Date.parse(retryAfter);
      if (!Number.isNaN(date)) return cap(date - now);
    }
  }
  const reset = headers.get("x-ratelimit-reset")?.trim();
  if (reset && /^\d{9,11}$/.test(reset)) return cap(Number(reset) * 1000 - now);
  return undefined;
}
