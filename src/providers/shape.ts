/**
 * Validation of provider payloads: a body of the wrong shape becomes a
 * `bad_response` ProviderError naming the first offending path (never the
 * value, which could echo a credential).
 * @module
 */
import type { z } from "zod";
import { ProviderError } from "./errors.ts";
import { type Sentiment, SentimentSchema, sentimentLabel } from "./types.ts";

/** Parses `body` with `schema` or throws `bad_response`. */
export function parseShape<S extends z.ZodType>(
  provider: string,
  schema: S,
  body: unknown,
  what: string,
): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const at = issue ? issue.path.map(String).join(".") || "(root)" : "(root)";
  throw new ProviderError(provider, "bad_response", `unexpected ${what} shape at ${at}`);
}

/** Epoch ms as RFC 3339 UTC without fractional zeros. */
export const isoTime = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");

/** RFC 3339 date-time with seconds, an optional fraction, and `Z` or an offset. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * An RFC 3339 string normalised to UTC, or "" (outside every range) when it is
 * not one: `Date.parse` alone reads `"1"` as 2001 and `+275760-09-13…` as a date.
 * Alpaca sends nanoseconds: they are cut to milliseconds before parsing.
 */
export function normaliseTime(text: string): string {
  if (!RFC3339.test(text) || !onTheCalendar(text)) return "";
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(ms) ? "" : isoTime(ms);
}

/**
 * True when the date and time written at the start of `text` (`YYYY-MM-DD`,
 * optionally `THH:MM[:SS]` or with a space) exist. `Date.parse` rolls an
 * impossible day over: `2024-02-30` read as 1 March, where it could collide
 * with that day's real bar.
 */
export function onTheCalendar(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/i.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const dateExists =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    date.getUTCDate() === day &&
    date.getUTCMonth() === month - 1;
  // 23:59:60 is a leap second RFC 3339 allows; Date.parse reads it as the next minute.
  return (
    dateExists && Number(m[4] ?? 0) <= 23 && Number(m[5] ?? 0) <= 59 && Number(m[6] ?? 0) <= 60
  );
}

/**
 * `time` when it parses, has a four-digit year (RFC 3339 cannot write another) and is not
 * before `fallback` (an item's own valid creation time, say); else `fallback`. An update
 * stamped `9999-12-31T23:59:59-23:59` was served as `+010000-01-01T23:58:59Z`.
 */
export const validTimeOr = (time: string, fallback: string): string =>
  /^\d{4}-/.test(time) && Date.parse(time) >= Date.parse(fallback) ? time : fallback;

/**
 * A link a client may render: absolute http(s) only, else null. Provider
 * news is third-party text; a `javascript:` or `data:` URL passed through
 * would run in any UI that makes it a link.
 */
export function webUrl(text: string | null | undefined): string | null {
  if (!text || !URL.canParse(text)) return null;
  // The parsed form, not the text: the parser drops tabs and newlines and escapes control
  // characters, so the text checked could differ from the link a client follows.
  const { protocol, href } = new URL(text);
  return protocol === "https:" || protocol === "http:" ? href : null;
}

/** What an adapter aggregated for one symbol's sentiment. */
export interface SentimentParts {
  symbol: string;
  now: number;
  windowStart: number;
  /** Already clamped to [-1, 1] by the adapter; NaN when its inputs overflowed. */
  score: number;
  mentions: number;
  positive: number | null;
  negative: number | null;
}

/**
 * The served sentiment, checked against the published model: counts that
 * overflowed to Infinity, or a NaN score, are a `bad_response`, not served as
 * null or labelled Bullish.
 */
export function servedSentiment(provider: string, parts: SentimentParts): Sentiment {
  const round = (n: number | null) => (n === null ? null : Math.round(n));
  return parseShape(
    provider,
    SentimentSchema,
    {
      symbol: parts.symbol,
      as_of: isoTime(parts.now),
      window_start: isoTime(parts.windowStart),
      score: Math.round(parts.score * 10_000) / 10_000,
      label: sentimentLabel(parts.score),
      mentions: Math.round(parts.mentions),
      positive_mentions: round(parts.positive),
      negative_mentions: round(parts.negative),
    },
    "sentiment",
  );
}

/** `price` when it can be a traded price (finite, positive), else a `bad_response`. */
export function tradedPrice(provider: string, price: number): number {
  if (Number.isFinite(price) && price > 0) return price;
  throw new ProviderError(provider, "bad_response", "unexpected quote shape at price");
}
