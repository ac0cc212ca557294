/**
 * Alpha Vantage answers refusals with HTTP 200: `Note` (call frequency),
 * `Information` (daily limit, premium endpoint, demo key) and `Error Message`
 * (invalid call, unknown symbol). Each becomes a ProviderError; the
 * rate-limit ones are retryable, after a minute (their window).
 * @module
 */
import { ProviderError } from "../errors.ts";

const NAME = "alphavantage";
const RATE_WORDS = /frequency|rate limit|requests per (day|minute)|per day|spread out/i;
/** The free tier's window is a minute (5/min) or a day (25/day); one minute is the earliest useful retry. */
const RETRY_AFTER_MS = 60_000;

/** Throws when `body` is one of Alpha Vantage's refusals. */
export function throwIfRefusal(body: unknown, symbol: string | undefined): void {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return;
  const record = body as Record<string, unknown>;
  const note = record.Note;
  const info = record.Information;
  const error = record["Error Message"];
  if (typeof note === "string") {
    throw new ProviderError(NAME, "rate_limited", "call frequency limit (Note)", {
      retryAfterMs: RETRY_AFTER_MS,
    });
  }
  if (typeof info === "string") {
    if (RATE_WORDS.test(info)) {
      throw new ProviderError(NAME, "rate_limited", "request limit reached (Information)", {
        retryAfterMs: RETRY_AFTER_MS,
      });
    }
    throw new ProviderError(
      NAME,
      "auth",
      "request refused (Information): key or plan does not allow it",
    );
  }
  if (typeof error === "string") {
    throw new ProviderError(
      NAME,
      "not_found",
      `invalid call${symbol ? ` for ${symbol}` : ""} (Error Message)`,
    );
  }
}
