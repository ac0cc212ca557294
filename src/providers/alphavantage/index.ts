/**
 * Alpha Vantage adapter: daily bars (TIME_SERIES_DAILY), quotes
 * (GLOBAL_QUOTE), news with sentiment and ticker sentiment (NEWS_SENTIMENT).
 * The key is the `apikey` query parameter, redacted everywhere.
 * @module
 */

import { ProviderError } from "../errors.ts";
import { orderedBars, orderedNews } from "../ordering.ts";
import { providerIsoTime } from "../plausible.ts";
import { inSentimentWindow, isScore, isWeight, offScale } from "../sentimentRows.ts";
import { onTheCalendar, parseShape, servedSentiment, tradedPrice, webUrl } from "../shape.ts";
import {
  lastClosedSession,
  newYorkMidnight,
  sessionClose,
  sessionOpen,
} from "../simulator/calendar.ts";
import { getJson, QUOTE_BODY_BYTES } from "../transport/index.ts";
import {
  type AltDataProvider,
  type ApiKeyProviderOptions,
  type Bar,
  type BarsQuery,
  type MarketDataProvider,
  type NewsItem,
  type NewsProvider,
  type NewsQuery,
  type Quote,
  SENTIMENT_WINDOW_MS,
  type Sentiment,
  sentimentLabel,
} from "../types.ts";
import { throwIfRefusal } from "./refusal.ts";
import { DailySeries, type FeedItem, GlobalQuote, NewsSentiment } from "./schemas.ts";

/** Options of {@link AlphaVantageProvider}; `baseUrl` defaults to https://www.alphavantage.co. */
export type AlphaVantageOptions = ApiKeyProviderOptions;

const NAME = "alphavantage";
const DAY_MS = 86_400_000;
/** `compact` holds the last 100 sessions (~140 calendar days). */
const COMPACT_SPAN_MS = 135 * DAY_MS;

/** Days since the epoch of `YYYY-MM-DD`; NaN for a day that does not exist (then dropped). */
const dayNumber = (ymd: string): number =>
  onTheCalendar(ymd) ? Date.parse(`${ymd}T00:00:00Z`) / DAY_MS : Number.NaN;
/** `20240102T170245` (treated as UTC) → epoch ms; NaN for a time that does not exist. */
const published = (text: string): number => {
  const iso = `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T${text.slice(9, 11)}:${text.slice(11, 13)}:${text.slice(13, 15) || "00"}Z`;
  return onTheCalendar(iso) ? Date.parse(iso) : Number.NaN;
};
const avTime = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace(/[-:]/g, "");

/**
 * Throws `bad_response` unless Alpha Vantage answered for `asked`: another symbol's quote
 * or series would be served, and cached, as this one's. Case and `.`/`-` are not told
 * apart (`BRK.B`, `brk-b`).
 */
function expectSymbol(asked: string, answered: string, at: string): void {
  const same = (s: string) => s.trim().toUpperCase().replaceAll("-", ".");
  if (same(answered) !== same(asked))
    throw new ProviderError(NAME, "bad_response", `unexpected ${at}`);
}

/**
 * When a GLOBAL_QUOTE price is from, given its latest trading day: that session's close
 * once it has closed; now while it trades (not the close, hours ahead); before it opens,
 * the last close before now (the price is that close, or a pre-market trade).
 */
function quoteTime(day: number, now: number): number {
  if (Number.isNaN(day)) return Number.NaN; // no such day: the quote is refused as unstamped
  const close = sessionClose(day);
  if (now >= close) return close;
  if (now >= sessionOpen(day)) return now;
  const previous = lastClosedSession(now);
  return previous === undefined ? now : sessionClose(previous);
}

/** Alpha Vantage as market-data (daily only), news and alternative-data provider. */
export class AlphaVantageProvider implements MarketDataProvider, NewsProvider, AltDataProvider {
  readonly name = NAME;
  readonly timeframes = ["1Day"] as const;
  readonly generalFeed = true;
  private readonly baseUrl: string;

  constructor(private readonly opts: AlphaVantageOptions) {
    this.baseUrl = opts.baseUrl ?? "https://www.alphavantage.co";
  }

  private async query(
    params: Record<string, string | number | undefined>,
    signal: AbortSignal,
    symbol?: string,
    maxBytes?: number,
  ) {
    const body = await getJson(
      {
        provider: NAME,
        baseUrl: this.baseUrl,
        path: "/query",
        query: { ...params, apikey: this.opts.apiKey },
        secretParams: ["apikey"],
        clock: this.opts.clock,
        maxBytes,
      },
      signal,
    );
    throwIfRefusal(body, symbol);
    return body;
  }

  async latestQuote(symbol: string, signal: AbortSignal): Promise<Quote> {
    const raw = await this.query(
      { function: "GLOBAL_QUOTE", symbol },
      signal,
      symbol,
      QUOTE_BODY_BYTES,
    );
    const quote = parseShape(NAME, GlobalQuote, raw, "quote")["Global Quote"];
    if (!("05. price" in quote))
      throw new ProviderError(NAME, "not_found", `no quote for ${symbol}`);
    expectSymbol(symbol, quote["01. symbol"], "quote shape at Global Quote.01. symbol");
    const at = quoteTime(dayNumber(quote["07. latest trading day"]), this.opts.clock.now());
    return {
      symbol,
      timestamp: providerIsoTime(at),
      price: tradedPrice(NAME, quote["05. price"]),
      bid: null,
      ask: null,
      bid_size: null,
      ask_size: null,
    };
  }

  async bars(symbol: string, query: BarsQuery, signal: AbortSignal): Promise<Bar[]> {
    if (query.timeframe !== "1Day") throw new ProviderError(NAME, "not_found", "only daily bars");
    const now = this.opts.clock.now();
    const outputsize = now - query.start > COMPACT_SPAN_MS ? "full" : "compact";
    const raw = await this.query(
      { function: "TIME_SERIES_DAILY", symbol, outputsize },
      signal,
      symbol,
    );
    const daily = parseShape(NAME, DailySeries, raw, "daily series");
    expectSymbol(
      symbol,
      daily["Meta Data"]["2. Symbol"],
      "daily series shape at Meta Data.2. Symbol",
    );
    const series = daily["Time Series (Daily)"];
    const bars = Object.entries(series).map(([date, d]): Bar => {
      const t = newYorkMidnight(dayNumber(date));
      return {
        t: providerIsoTime(t),
        o: d["1. open"],
        h: d["2. high"],
        l: d["3. low"],
        c: d["4. close"],
        v: d["5. volume"],
        n: null,
        vw: null,
      };
    });
    return orderedBars(bars, query.start, query.end, query.limit, query.latest);
  }

  private async feed(
    tickers: string[],
    start: number,
    end: number,
    limit: number,
    signal: AbortSignal,
  ) {
    const raw = await this.query(
      {
        function: "NEWS_SENTIMENT",
        tickers: tickers.length > 0 ? tickers.join(",") : undefined,
        time_from: avTime(start),
        // Minutes only: rounded up, or the items of `end`'s own minute before it (a news cursor
        // ends mid-minute) were never asked for; the local filter trims to `end`.
        time_to: avTime(Math.ceil(end / 60_000) * 60_000),
        sort: "LATEST",
        limit: Math.max(50, limit),
      },
      signal,
      tickers.join(","),
    );
    return parseShape(NAME, NewsSentiment, raw, "news sentiment").feed;
  }

  async news(query: NewsQuery, signal: AbortSignal): Promise<NewsItem[]> {
    const feed = await this.feed(query.symbols, query.start, query.end, query.limit, signal);
    const items = feed.map((item): NewsItem => {
      const at = providerIsoTime(published(item.time_published));
      // Off the published scale: no score, rather than one clamped to a confident label.
      const score = isScore(item.overall_sentiment_score) ? item.overall_sentiment_score : null;
      return {
        id: `av-${new Bun.CryptoHasher("sha256").update(item.url).digest("hex").slice(0, 16)}`,
        headline: item.title,
        summary: item.summary ?? "",
        author: item.authors?.join(", ") || null,
        source: item.source,
        url: webUrl(item.url),
        symbols: (item.ticker_sentiment ?? []).map((t) => t.ticker),
        created_at: at,
        updated_at: at,
        sentiment: score,
        sentiment_label: score === null ? null : sentimentLabel(score),
      };
    });
    return orderedNews(items, query.start, query.end, query.limit);
  }

  async sentiment(symbol: string, signal: AbortSignal): Promise<Sentiment> {
    const now = this.opts.clock.now();
    const start = now - SENTIMENT_WINDOW_MS;
    const feed = await this.feed([symbol], start, now, 200, signal);
    const scores = feed
      .filter((item: FeedItem) => inSentimentWindow(published(item.time_published), start, now))
      .flatMap((item: FeedItem) => item.ticker_sentiment ?? [])
      .filter((t) => t.ticker === symbol);
    if (scores.some((t) => !isWeight(t.relevance_score) || !isScore(t.ticker_sentiment_score))) {
      throw offScale(NAME);
    }
    let weights = 0;
    let weighted = 0;
    for (const t of scores) {
      weights += t.relevance_score;
      weighted += t.relevance_score * t.ticker_sentiment_score;
    }
    const score = weights > 0 ? Math.max(-1, Math.min(1, weighted / weights)) : 0;
    return servedSentiment(NAME, {
      symbol,
      now,
      windowStart: start,
      score,
      mentions: scores.length,
      positive: scores.filter((t) => t.ticker_sentiment_score >= 0.15).length,
      negative: scores.filter((t) => t.ticker_sentiment_score <= -0.15).length,
    });
  }
}
