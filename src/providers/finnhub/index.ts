/**
 * Finnhub adapter: quote, company news (one call per symbol; no general feed)
 * and social sentiment. The key travels as the `token` query parameter, as
 * Finnhub documents, and is redacted from every message and span.
 * @module
 */

import { ProviderError } from "../errors.ts";
import { orderedNews } from "../ordering.ts";
import { providerIsoTime } from "../plausible.ts";
import { finnhubRowTime, inSentimentWindow, isCount, isScore, offScale } from "../sentimentRows.ts";
import { parseShape, servedSentiment, tradedPrice, webUrl } from "../shape.ts";
import {
  getJson,
  QUOTE_BODY_BYTES,
  reserveRequests,
  SENTIMENT_BODY_BYTES,
} from "../transport/index.ts";
import {
  type AltDataProvider,
  type ApiKeyProviderOptions,
  type MarketDataProvider,
  type NewsItem,
  type NewsProvider,
  type NewsQuery,
  type Quote,
  SENTIMENT_WINDOW_MS,
  type Sentiment,
} from "../types.ts";
import { CompanyNews, FinnhubQuote, type SentimentRow, SocialSentiment } from "./schemas.ts";

/** Options of {@link FinnhubProvider}; `baseUrl` defaults to https://finnhub.io/api/v1. */
export type FinnhubOptions = ApiKeyProviderOptions;

const NAME = "finnhub";
const ymd = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Finnhub as quote, news and alternative-data provider (it serves no bars on the free tier). */
export class FinnhubProvider implements MarketDataProvider, NewsProvider, AltDataProvider {
  readonly name = NAME;
  readonly timeframes = [] as const;
  readonly generalFeed = false;
  private readonly baseUrl: string;

  constructor(private readonly opts: FinnhubOptions) {
    this.baseUrl = opts.baseUrl ?? "https://finnhub.io/api/v1";
  }

  private get(path: string, query: Record<string, string>, signal: AbortSignal, maxBytes?: number) {
    return getJson(
      {
        provider: NAME,
        baseUrl: this.baseUrl,
        path,
        query: { ...query, token: this.opts.apiKey },
        secretParams: ["token"],
        clock: this.opts.clock,
        maxBytes,
      },
      signal,
    );
  }

  async latestQuote(symbol: string, signal: AbortSignal): Promise<Quote> {
    const q = parseShape(
      NAME,
      FinnhubQuote,
      await this.get("/quote", { symbol }, signal, QUOTE_BODY_BYTES),
      "quote",
    );
    // Finnhub answers an unknown symbol with an all-zero quote.
    if (q.t === 0 && q.c === 0)
      throw new ProviderError(NAME, "not_found", `no quote for ${symbol}`);
    return {
      symbol,
      timestamp: providerIsoTime(q.t * 1000),
      price: tradedPrice(NAME, q.c),
      bid: null,
      ask: null,
      bid_size: null,
      ask_size: null,
    };
  }

  async bars(): Promise<never> {
    throw new ProviderError(NAME, "not_found", "bars are not served by this provider");
  }

  async news(query: NewsQuery, signal: AbortSignal): Promise<NewsItem[]> {
    // One request per symbol, sent together: paid for together, or not sent at all.
    await reserveRequests(query.symbols.length, signal);
    // The first failure ends the attempt; the others are cancelled with it, not left to
    // run (a probe's slow symbol held its connection 60 s after the client had its 503).
    const fanOut = new AbortController();
    const each = AbortSignal.any([signal, fanOut.signal]);
    const perSymbol = await Promise.all(
      query.symbols.map((symbol) =>
        this.companyNews(symbol, query, each).catch((error: unknown) => {
          fanOut.abort(error);
          throw error;
        }),
      ),
    );
    return orderedNews(perSymbol.flat(), query.start, query.end, query.limit);
  }

  private async companyNews(
    symbol: string,
    query: NewsQuery,
    signal: AbortSignal,
  ): Promise<NewsItem[]> {
    const raw = await this.get(
      "/company-news",
      { symbol, from: ymd(query.start), to: ymd(query.end) },
      signal,
    );
    return parseShape(NAME, CompanyNews, raw, "company news").map(
      (n): NewsItem => ({
        id: String(n.id),
        headline: n.headline,
        summary: n.summary ?? "",
        author: null,
        source: n.source,
        url: webUrl(n.url),
        symbols: n.related ? n.related.split(",").filter(Boolean) : [symbol],
        created_at: providerIsoTime(n.datetime * 1000),
        updated_at: providerIsoTime(n.datetime * 1000),
        sentiment: null,
        sentiment_label: null,
      }),
    );
  }

  async sentiment(symbol: string, signal: AbortSignal): Promise<Sentiment> {
    const now = this.opts.clock.now();
    const start = now - SENTIMENT_WINDOW_MS;
    const raw = await this.get(
      "/stock/social-sentiment",
      { symbol, from: ymd(start), to: ymd(now) },
      signal,
      SENTIMENT_BODY_BYTES,
    );
    const body = parseShape(NAME, SocialSentiment, raw, "social sentiment");
    const rows: SentimentRow[] = "data" in body ? body.data : [...body.reddit, ...body.twitter];
    let mentions = 0;
    let positive = 0;
    let negative = 0;
    let weighted = 0;
    // Every time unreadable is a changed format, not "no mentions": a fresh Neutral would hide it.
    if (rows.length > 0 && rows.every((row) => Number.isNaN(finnhubRowTime(row.atTime)))) {
      throw new ProviderError(NAME, "bad_response", "unexpected social sentiment shape at atTime");
    }
    for (const row of rows) {
      if (!inSentimentWindow(finnhubRowTime(row.atTime), start, now)) continue;
      const onScale =
        isCount(row.mention) &&
        isCount(row.positiveMention) &&
        isCount(row.negativeMention) &&
        isScore(row.score);
      if (!onScale) throw offScale(NAME);
      mentions += row.mention;
      positive += row.positiveMention;
      negative += row.negativeMention;
      weighted += row.score * row.mention;
    }
    const score = mentions > 0 ? Math.max(-1, Math.min(1, weighted / mentions)) : 0;
    return servedSentiment(NAME, {
      symbol,
      now,
      windowStart: start,
      score,
      mentions,
      positive,
      negative,
    });
  }
}
