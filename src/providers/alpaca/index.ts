/**
 * Alpaca Market Data v2 adapter: latest quotes, bars (following
 * `next_page_token`) and news. Keys go in the `APCA-API-KEY-ID` /
 * `APCA-API-SECRET-KEY` headers, never in URLs.
 * @module
 */

import type { Clock } from "../../clock/index.ts";
import { ProviderError } from "../errors.ts";
import { orderedBars, orderedNews } from "../ordering.ts";
import { isoTime, normaliseTime, parseShape, validTimeOr, webUrl } from "../shape.ts";
import { getJson, QUOTE_BODY_BYTES } from "../transport/index.ts";
import type {
  Bar,
  BarsQuery,
  MarketDataProvider,
  NewsItem,
  NewsProvider,
  NewsQuery,
  Quote,
} from "../types.ts";
import { TIMEFRAMES } from "../types.ts";
import { BarsPage, LatestQuotes, NewsPage } from "./schemas.ts";

/** Options of {@link AlpacaProvider}. */
export interface AlpacaOptions {
  keyId: string;
  secretKey: string;
  /** Default https://data.alpaca.markets. */
  dataUrl?: string;
  clock: Clock;
}

const NAME = "alpaca";
/** Pages followed at most per request (limit 10 000 / page size 10 000 → 1 normally). */
const MAX_PAGES = 20;
const NEWS_PAGE = 50;

/** The next page token, or undefined at the end or when the provider repeats one (a cycle). */
function nextToken(token: string | null | undefined, seen: Set<string>): string | undefined {
  if (!token || seen.has(token)) return undefined;
  seen.add(token);
  return token;
}

/** Alpaca as market-data and news provider. */
export class AlpacaProvider implements MarketDataProvider, NewsProvider {
  readonly name = NAME;
  readonly timeframes = TIMEFRAMES;
  readonly generalFeed = true;
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;

  private readonly clock: Clock;

  constructor(opts: AlpacaOptions) {
    this.clock = opts.clock;
    this.baseUrl = opts.dataUrl ?? "https://data.alpaca.markets";
    this.headers = { "APCA-API-KEY-ID": opts.keyId, "APCA-API-SECRET-KEY": opts.secretKey };
  }

  private get(
    path: string,
    query: Record<string, string | number | undefined>,
    signal: AbortSignal,
    maxBytes?: number,
  ) {
    return getJson(
      {
        provider: NAME,
        baseUrl: this.baseUrl,
        path,
        query,
        headers: this.headers,
        clock: this.clock,
        maxBytes,
      },
      signal,
    );
  }

  async latestQuote(symbol: string, signal: AbortSignal): Promise<Quote> {
    const body = parseShape(
      NAME,
      LatestQuotes,
      await this.get("/v2/stocks/quotes/latest", { symbols: symbol }, signal, QUOTE_BODY_BYTES),
      "quote",
    );
    const q = body.quotes[symbol];
    // A side priced 0 is an empty side (common outside market hours): null, like a provider
    // without a book. A negative price is not a price either.
    const bid = q && q.bp > 0 ? q.bp : null;
    const ask = q && q.ap > 0 ? q.ap : null;
    if (!q || (bid === null && ask === null)) {
      throw new ProviderError(NAME, "not_found", `no quote for ${symbol}`);
    }
    const timestamp = normaliseTime(q.t);
    if (Number.isNaN(Date.parse(timestamp))) {
      throw new ProviderError(NAME, "bad_response", "unexpected quote shape at t");
    }
    const price =
      bid !== null && ask !== null
        ? Math.round(((bid + ask) / 2) * 10_000) / 10_000
        : ((bid ?? ask) as number);
    return {
      symbol,
      timestamp,
      price,
      bid,
      ask,
      bid_size: bid === null ? null : q.bs,
      ask_size: ask === null ? null : q.as,
    };
  }

  async bars(symbol: string, query: BarsQuery, signal: AbortSignal): Promise<Bar[]> {
    const out: Bar[] = [];
    const seenTokens = new Set<string>();
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES && out.length < query.limit; page++) {
      const raw = await this.get(
        "/v2/stocks/bars",
        {
          symbols: symbol,
          timeframe: query.timeframe,
          start: isoTime(query.start),
          end: isoTime(query.end),
          limit: Math.min(10_000, query.limit - out.length),
          // The latest bars: pages newest first, so the first page already holds them.
          sort: query.latest ? "desc" : "asc",
          page_token: pageToken,
        },
        signal,
      );
      const body = parseShape(NAME, BarsPage, raw, "bars");
      // Parsing a large page takes time no timer interrupts: the deadline is checked after it.
      if (signal.aborted) throw signal.reason;
      const rows = body.bars?.[symbol] ?? [];
      for (const b of rows) {
        out.push({
          t: normaliseTime(b.t),
          o: b.o,
          h: b.h,
          l: b.l,
          c: b.c,
          v: b.v,
          n: b.n ?? null,
          vw: b.vw ?? null,
        });
      }
      // A page with nothing for our symbol yet a next token is not progress (a probe's fake
      // sent 39 such 8 MiB pages in one request): stop rather than follow it.
      pageToken = rows.length > 0 ? nextToken(body.next_page_token, seenTokens) : undefined;
      if (!pageToken) break;
    }
    return orderedBars(out, query.start, query.end, query.limit, query.latest);
  }

  async news(query: NewsQuery, signal: AbortSignal): Promise<NewsItem[]> {
    const out: NewsItem[] = [];
    const seenTokens = new Set<string>();
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES && out.length < query.limit; page++) {
      const raw = await this.get(
        "/v1beta1/news",
        {
          symbols: query.symbols.length > 0 ? query.symbols.join(",") : undefined,
          start: isoTime(query.start),
          end: isoTime(query.end),
          limit: Math.min(NEWS_PAGE, query.limit - out.length),
          sort: "desc",
          page_token: pageToken,
        },
        signal,
      );
      const body = parseShape(NAME, NewsPage, raw, "news");
      if (signal.aborted) throw signal.reason;
      for (const n of body.news) {
        out.push({
          id: String(n.id),
          headline: n.headline,
          summary: n.summary ?? "",
          author: n.author || null,
          source: n.source,
          url: webUrl(n.url),
          symbols: n.symbols,
          created_at: normaliseTime(n.created_at),
          updated_at: validTimeOr(normaliseTime(n.updated_at), normaliseTime(n.created_at)),
          sentiment: null,
          sentiment_label: null,
        });
      }
      pageToken = body.news.length > 0 ? nextToken(body.next_page_token, seenTokens) : undefined;
      if (!pageToken) break;
    }
    return orderedNews(out, query.start, query.end, query.limit);
  }
}
