/**
 * How long a refusing provider asks us to wait: `Retry-After` (seconds or an
 * HTTP date), else Alpaca's `X-Ratelimit-Reset` (Unix seconds when the
 * window resets). Undefined when neither says anything usable.
 * @module
 */

/** Milliseconds to wait according to the response headers, at `now`. */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const retryAfter = headers.get("retry-after")?.trim();
  if (retryAfter) {
    if (/^\d{1,7}$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = headers.get("x-ratelimit-reset")?.trim();
  if (reset && /^\d{9,11}$/.test(reset)) return Math.max(0, Number(reset) * 1000 - now);
  return undefined;
}
