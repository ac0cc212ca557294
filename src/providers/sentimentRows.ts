/**
 * Checks on the rows a provider's sentiment is aggregated from. A weighted
 * mean clamped to [-1, 1] afterwards hid a bad row: one row scored 1e308 (or
 * 2 000, or with a negative weight) outvoted 900 negative mentions and
 * labelled the symbol Bullish, and rows from 1999 counted in a three-day
 * window. A row off the published scales makes the answer a `bad_response`
 * (an aggregate is only as sound as every input; the cache's last good answer
 * or a 503 follows); rows outside the window are left out, as bars and news
 * outside their range are.
 * @module
 */
import { ProviderError } from "./errors.ts";
import { onTheCalendar } from "./shape.ts";

/** The failure for a sentiment row off its published scale. */
export const offScale = (provider: string): ProviderError =>
  new ProviderError(provider, "bad_response", "unexpected sentiment shape at a row off its scale");

const DAY_MS = 86_400_000;

/** A mention count: a whole, non-negative number. */
export const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/** A score on the published scale, [-1, 1]. */
export const isScore = (n: number): boolean => Number.isFinite(n) && n >= -1 && n <= 1;

/** A relevance or weight on the published scale, [0, 1]. */
export const isWeight = (n: number): boolean => Number.isFinite(n) && n >= 0 && n <= 1;

/**
 * Whether a row stamped `ms` belongs to the window [windowStart, now]: providers are
 * asked by date, so from the first UTC day of the window, and up to a day past `now`
 * (provider clocks and time zones differ from ours). NaN (an unreadable time) never does.
 */
export function inSentimentWindow(ms: number, windowStart: number, now: number): boolean {
  return ms >= windowStart - (windowStart % DAY_MS) && ms <= now + DAY_MS;
}

/** Finnhub's `atTime` (`YYYY-MM-DD HH:MM:SS`, UTC) as epoch ms, or NaN. */
export function finnhubRowTime(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$/.test(text) || !onTheCalendar(text)) {
    return Number.NaN;
  }
  return Date.parse(`${text.replace(" ", "T")}Z`);
}
