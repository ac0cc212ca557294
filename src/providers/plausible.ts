/**
 * What a provider may say and still be served: times a market could have
 * produced, a tradable price, sizes and counts that are counts, and news text
 * of bounded size. A quote that fails is a `bad_response` (there is one
 * value, and a wrong one is worse than none); in a list, the field or the item
 * goes and the rest is served.
 * @module
 */
import { ProviderError } from "./errors.ts";
import { isoTime, tradedPrice } from "./shape.ts";
import { type Bar, type NewsItem, type Quote, SYMBOL_PATTERN } from "./types.ts";

/** No market data predates this. */
export const EARLIEST_MARKET_TIME = Date.UTC(1970, 0, 1);
/** A quote "from the future" beyond this is a provider error (clock skew is seconds). */
const FUTURE_SLACK_MS = 86_400_000;
/** Where `Date` stops (±8.64e15 ms); `toISOString` throws beyond it. */
const LATEST_DATE = 8.64e15;

/** Epoch ms from a provider as RFC 3339, or "" (dropped as outside any range) when it cannot be one. */
export function providerIsoTime(ms: number): string {
  return Number.isFinite(ms) && ms >= EARLIEST_MARKET_TIME && ms <= LATEST_DATE ? isoTime(ms) : "";
}

const fail = (provider: string, at: string) =>
  new ProviderError(provider, "bad_response", `unexpected quote shape at ${at}`);

/** A count or size: finite, non-negative, below 1e15; else null. */
const count = (n: number | null): number | null =>
  n !== null && Number.isFinite(n) && n >= 0 && n < 1e15 ? n : null;

/**
 * `quote` if it can be real at `now`: a timestamp after 1970 began and up to a
 * day from now, a traded price (finite, positive: a mid of two 1e308 sides is
 * Infinity); sizes that are not counts become null. Else a `bad_response`.
 */
export function checkedQuote(provider: string, quote: Quote, now: number): Quote {
  const at = Date.parse(quote.timestamp);
  // After, not at, 1970's first instant: `t: 0` is an unset time, not a quote from 1970.
  if (!(at > EARLIEST_MARKET_TIME && at <= now + FUTURE_SLACK_MS))
    throw fail(provider, "timestamp");
  tradedPrice(provider, quote.price);
  return {
    ...quote,
    bid_size: quote.bid === null ? null : count(quote.bid_size),
    ask_size: quote.ask === null ? null : count(quote.ask_size),
  };
}

/**
 * How far outside [low, high] an average price may lie (1 %): a volume-weighted
 * average of the bar's trades is within them, but a feed may count trades the
 * bar's OHLC leaves out (odd lots, some conditions).
 */
const VWAP_SLACK = 0.01;

/** `bar` with a trade count that is not a whole count, or an average price outside the bar, as null. */
export function withPlausibleExtras(bar: Bar): Bar {
  const n = count(bar.n) !== null && Number.isInteger(bar.n) ? bar.n : null;
  const vw =
    bar.vw !== null && bar.vw >= bar.l * (1 - VWAP_SLACK) && bar.vw <= bar.h * (1 + VWAP_SLACK)
      ? bar.vw
      : null;
  return n === bar.n && vw === bar.vw ? bar : { ...bar, n, vw };
}

/** Longest text kept per news field; past it, the text is cut (a probe sent an 8 MB summary). */
const NEWS_LIMITS = {
  id: 128,
  headline: 500,
  summary: 2_000,
  author: 200,
  source: 100,
  url: 2_048,
};
/** Symbols kept per news item (a probe sent 100 000). */
const MAX_NEWS_SYMBOLS = 50;

/**
 * The first `max` characters of `text`, not splitting a surrogate pair, as a
 * copy: in JavaScriptCore a slice shares its parent's buffer, so a cut 8 MB
 * summary kept all 8 MB alive in the cache (a probe: 40 answers, +420 MB).
 */
function clip(text: string, max: number): string {
  if (text.length <= max) return wellFormed(text);
  const code = text.charCodeAt(max - 1);
  const cut = text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
  return wellFormed(flatCopy(cut));
}

/**
 * Lone surrogates as U+FFFD: JSON.stringify writes one as `\ud800`, which strict
 * parsers (jq, serde_json) refuse, so one bad headline failed the whole news answer.
 */
const wellFormed = (text: string): string => (text.isWellFormed() ? text : text.toWellFormed());

/** A new, flat string with the same code units: shares no parent buffer. */
const flatCopy = (text: string): string => Buffer.from(text, "utf16le").toString("utf16le");

/**
 * `item` with each text field cut to its limit, a URL too long to be a link
 * as null, and only the symbols the API itself accepts (upper-case tickers,
 * each once, at most 50).
 */
export function boundedNewsItem(item: NewsItem): NewsItem {
  // Copied too: a symbol split out of one huge provider string would keep all of it alive.
  const symbols = [...new Set(item.symbols.filter((s) => SYMBOL_PATTERN.test(s)))]
    .slice(0, MAX_NEWS_SYMBOLS)
    .map(flatCopy);
  return {
    ...item,
    id: clip(item.id, NEWS_LIMITS.id),
    headline: clip(item.headline, NEWS_LIMITS.headline),
    summary: clip(item.summary, NEWS_LIMITS.summary),
    author: item.author === null ? null : clip(item.author, NEWS_LIMITS.author),
    source: clip(item.source, NEWS_LIMITS.source),
    url: item.url !== null && item.url.length <= NEWS_LIMITS.url ? item.url : null,
    symbols,
  };
}
