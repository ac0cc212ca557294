/**
 * The domain model every provider returns and every market route serves, as
 * zod schemas (so the OpenAPI document comes from the same definitions), plus
 * the three provider interfaces. Market-data numbers are JSON numbers
 * (trading.md §2); timestamps are RFC 3339 UTC strings.
 * @module
 */
import { z } from "@hono/zod-openapi";
import type { Clock } from "../clock/index.ts";

/** Bar sizes the API serves. */
export const TIMEFRAMES = ["1Min", "5Min", "15Min", "1Hour", "1Day"] as const;
/** A bar size. */
export type Timeframe = (typeof TIMEFRAMES)[number];

/** A ticker as the API accepts it (DESIGN §7): upper case, 1–10 characters. */
export const SYMBOL_PATTERN = /^[A-Z][A-Z0-9.-]{0,9}$/;

/** Length of each intraday timeframe in ms (1Day is a session, not 24h). */
export const TIMEFRAME_MS: Record<Timeframe, number> = {
  "1Min": 60_000,
  "5Min": 300_000,
  "15Min": 900_000,
  "1Hour": 3_600_000,
  "1Day": 86_400_000,
};

const timestamp = z.string().openapi({ format: "date-time", example: "2024-03-18T14:02:43Z" });

/** A top-of-book quote. Providers without a book (Finnhub, Alpha Vantage) give null bid/ask. */
export const QuoteSchema = z
  .object({
    symbol: z.string(),
    timestamp,
    price: z
      .number()
      .openapi({ description: "Last trade price, or the mid when only a book is known" }),
    bid: z.number().nullable(),
    ask: z.number().nullable(),
    bid_size: z.number().nullable(),
    ask_size: z.number().nullable(),
  })
  .openapi("Quote");
/** A top-of-book quote. */
export type Quote = z.infer<typeof QuoteSchema>;

/** One OHLCV bar, stamped at the start of its interval (Alpaca convention). */
export const BarSchema = z
  .object({
    t: timestamp,
    o: z.number(),
    h: z.number(),
    l: z.number(),
    c: z.number(),
    v: z.number().openapi({ description: "Volume (shares)" }),
    n: z.number().nullable().openapi({ description: "Trade count (a whole number), when known" }),
    vw: z.number().nullable().openapi({ description: "Volume-weighted average price, when known" }),
  })
  .openapi("Bar");
/** One OHLCV bar. */
export type Bar = z.infer<typeof BarSchema>;

/** Sentiment labels, Alpha Vantage's scale (thresholds ±0.15 / ±0.35). */
export const SENTIMENT_LABELS = [
  "Bearish",
  "Somewhat-Bearish",
  "Neutral",
  "Somewhat-Bullish",
  "Bullish",
] as const;

/** The window a provider's sentiment aggregates over (same for every adapter). */
export const SENTIMENT_WINDOW_MS = 3 * 86_400_000;

/** Options of the adapters keyed by one API key (Finnhub, Alpha Vantage). */
export interface ApiKeyProviderOptions {
  apiKey: string;
  /** The provider's documented base URL when unset. */
  baseUrl?: string;
  clock: Clock;
}

/** The label of a score in [-1, 1]. */
export function sentimentLabel(score: number): (typeof SENTIMENT_LABELS)[number] {
  if (score <= -0.35) return "Bearish";
  if (score <= -0.15) return "Somewhat-Bearish";
  if (score < 0.15) return "Neutral";
  if (score < 0.35) return "Somewhat-Bullish";
  return "Bullish";
}

/** A news item. */
export const NewsItemSchema = z
  .object({
    id: z.string(),
    headline: z.string(),
    summary: z.string(),
    author: z.string().nullable(),
    source: z.string(),
    url: z.string().nullable(),
    symbols: z.array(z.string()),
    created_at: timestamp,
    updated_at: timestamp,
    sentiment: z.number().min(-1).max(1).nullable(),
    sentiment_label: z.enum(SENTIMENT_LABELS).nullable(),
  })
  .openapi("NewsItem");
/** A news item. */
export type NewsItem = z.infer<typeof NewsItemSchema>;

/** Aggregated sentiment and social attention for one symbol over a window. */
export const SentimentSchema = z
  .object({
    symbol: z.string(),
    as_of: timestamp,
    window_start: timestamp,
    score: z.number().min(-1).max(1).openapi({ description: "-1 (bearish) … 1 (bullish)" }),
    label: z.enum(SENTIMENT_LABELS),
    mentions: z.number().int().nonnegative(),
    positive_mentions: z.number().int().nonnegative().nullable(),
    negative_mentions: z.number().int().nonnegative().nullable(),
  })
  .openapi("Sentiment");
/** Aggregated sentiment for one symbol. */
export type Sentiment = z.infer<typeof SentimentSchema>;

/** A bar request. `start`/`end` are epoch ms, both inclusive. */
export interface BarsQuery {
  timeframe: Timeframe;
  start: number;
  end: number;
  limit: number;
  /** The last `limit` bars of [start, end] instead of the first; still ascending. */
  latest?: boolean;
  /**
   * Who asked (a user id), so a provider that queues work can take askers in turn. Not part
   * of the answer, nor of a cache key.
   */
  requester?: string;
  /** Set when the range was not given whole: it moves with the clock ({@link Rolling}). */
  rolling?: Rolling;
}

/**
 * Which ends of a request's range were defaulted from the clock: `end` alone (the current
 * minute), or the whole `range` (a default span before it). The same request a minute later
 * is then another query with another cache key, so the latest answer is also kept under the
 * request's shape, as the stale fallback of those later ones: without it, a failing provider
 * left the most common requests ("the latest bars", "recent news") with no fallback once the
 * minute turned.
 */
export type Rolling = "end" | "range";

/** A news request. Empty `symbols` means the provider's general feed. */
export interface NewsQuery {
  symbols: string[];
  start: number;
  end: number;
  limit: number;
  /** Set when the range was not given whole: it moves with the clock ({@link Rolling}). */
  rolling?: Rolling;
}

/** Quotes and bars. */
export interface MarketDataProvider {
  readonly name: string;
  /** Timeframes this provider can serve (Alpha Vantage: daily only). */
  readonly timeframes: readonly Timeframe[];
  latestQuote(symbol: string, signal: AbortSignal): Promise<Quote>;
  /** Bars ascending by time, at most `limit`. */
  bars(symbol: string, query: BarsQuery, signal: AbortSignal): Promise<Bar[]>;
}

/** News. */
export interface NewsProvider {
  readonly name: string;
  /** Whether a request without symbols is allowed. */
  readonly generalFeed: boolean;
  /** Items newest first, at most `limit`. */
  news(query: NewsQuery, signal: AbortSignal): Promise<NewsItem[]>;
}

/** Alternative data: sentiment and social mentions. */
export interface AltDataProvider {
  readonly name: string;
  sentiment(symbol: string, signal: AbortSignal): Promise<Sentiment>;
}
