/**
 * Market data, news and alternative-data routes. Every answer carries its
 * provenance (`source`, `stale`, `as_of`, `age_ms`); a failing provider with
 * no acceptable cached answer gives 503 `provider_unavailable`, an unknown
 * symbol 404 `not_found`. Symbols are upper case (`^[A-Z][A-Z0-9.-]{0,9}$`):
 * lower case is rejected rather than folded, so a cache key has one spelling.
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import {
  BarSchema,
  isoTime,
  NewsItemSchema,
  type Providers,
  QuoteSchema,
  type Rolling,
  SentimentSchema,
  type Served,
  SYMBOL_PATTERN,
  TIMEFRAMES,
} from "../../providers/index.ts";
import type { AppEnv } from "../context.ts";
import { barsCursor } from "./barsCursor.ts";
import { errorResponse, guardResponses } from "./errorSchema.ts";
import {
  BarsQuery,
  DEFAULT_SPAN_MS,
  MAX_NEWS,
  MAX_SPAN_MS,
  NEWS_DEFAULT_SPAN_MS,
  NEWS_MAX_SPAN_MS,
  NewsQuery,
} from "./marketQueries.ts";
import { invalidQuery, resolveRange } from "./marketRange.ts";
import { newsPage } from "./newsCursor.ts";
import { NoQuery } from "./noQuery.ts";
import { guarded } from "./providerFailures.ts";
import { slicedJsonResponse } from "./slicedJson.ts";

const SymbolText = z
  .string()
  .regex(SYMBOL_PATTERN, "must be 1-10 characters: A-Z, 0-9, '.', '-', starting with a letter");

const SymbolParam = z.object({
  symbol: SymbolText.openapi({ param: { name: "symbol", in: "path" }, example: "AAPL" }),
});

const meta = {
  source: z.string(),
  stale: z
    .boolean()
    .openapi({ description: "True when a provider failed and a cached answer stood in" }),
  as_of: z.string().openapi({ format: "date-time", description: "When the data was fetched" }),
  age_ms: z.number().int(),
};
const QuoteResponse = z.object({ quote: QuoteSchema, ...meta }).openapi("QuoteResponse");
const cursorField = (description: string) =>
  z.string().nullable().openapi({ format: "date-time", description });
const BarsResponse = z
  .object({
    symbol: z.string(),
    timeframe: z.enum(TIMEFRAMES),
    bars: z.array(BarSchema),
    next_start: cursorField(
      "With `start`: pass as `start` (same `end`, `limit`) for the bars after this page. Null, or an empty next page, when there are none.",
    ),
    next_end: cursorField(
      "Without `start`: pass as `end` (no `start`) for the bars before this page, a default window at a time, back through the provider's whole history: stop when you have enough. Null, or an empty next page, when there are none.",
    ),
    ...meta,
  })
  .openapi("BarsResponse");
const NewsResponse = z
  .object({
    news: z.array(NewsItemSchema),
    next_end: cursorField(
      "Pass as `end` (same `start`, `symbols`, `limit`) for the items before this page. Null, or an empty next page, when there are none; without `start` that is the start of the feed.",
    ),
    ...meta,
  })
  .openapi("NewsResponse");
const SentimentResponse = z
  .object({ sentiment: SentimentSchema, ...meta })
  .openapi("SentimentResponse");

// No 403: every role may read market data (an unknown stored role reads as viewer).
const errors = {
  400: errorResponse("Invalid request"),
  401: guardResponses[401],
  404: errorResponse("A symbol the provider does not know (`not_found`)"),
  429: guardResponses[429],
  503: errorResponse("Provider unavailable (`provider_unavailable`, with Retry-After)"),
} as const;
const ok = <S extends z.ZodType>(schema: S, description: string) => ({
  200: { description, content: { "application/json": { schema } } },
  ...errors,
});

/** The answer to a range that holds nothing: served here, fresh, without asking `source`. */
const nothing = <T>(source: string, data: T, now: number): Served<T> => ({
  data,
  source,
  stale: false,
  as_of: isoTime(now),
  age_ms: 0,
});

/** Which ends of the range `resolveRange` took from the clock (the provider cache's `Rolling`). */
const rollingOf = (q: { start?: string; end?: string }): { rolling?: Rolling } =>
  q.end !== undefined ? {} : { rolling: q.start === undefined ? "range" : "end" };

const meta$ = <T>(s: Served<T>) => ({
  source: s.source,
  stale: s.stale,
  as_of: s.as_of,
  age_ms: s.age_ms,
});

/** Dependencies of {@link registerMarketRoutes}. */
export interface MarketRouteDeps {
  providers: Providers;
  /** Route-level auth (requireAuth("viewer")). */
  authorize: MiddlewareHandler<AppEnv>;
  /** Current time for default ranges (default Date.now). */
  now?: () => number;
}

/** Registers GET /v1/market/quotes/{symbol}, /v1/market/bars/{symbol}, /v1/news, /v1/altdata/sentiment/{symbol}. */
export function registerMarketRoutes(app: OpenAPIHono<AppEnv>, deps: MarketRouteDeps): void {
  const { providers, authorize } = deps;
  const now = deps.now ?? Date.now;
  const common = {
    tags: ["market"],
    security: [{ bearer: [] as string[] }],
    middleware: [authorize],
  };

  app.openapi(
    createRoute({
      ...common,
      method: "get",
      path: "/v1/market/quotes/{symbol}",
      operationId: "getQuote",
      summary: "Latest quote",
      request: { query: NoQuery, params: SymbolParam },
      responses: ok(QuoteResponse, "Latest quote"),
    }),
    async (c) => {
      const { symbol } = c.req.valid("param");
      const served = await guarded(() => providers.market.latestQuote(symbol, c.req.raw.signal));
      return c.json({ quote: served.data, ...meta$(served) }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: "get",
      path: "/v1/market/bars/{symbol}",
      operationId: "getBars",
      summary: "Historical bars",
      request: { params: SymbolParam, query: BarsQuery },
      responses: ok(BarsResponse, "Bars, ascending"),
    }),
    async (c) => {
      const { symbol } = c.req.valid("param");
      const q = c.req.valid("query");
      if (!providers.market.timeframes.includes(q.timeframe)) {
        throw invalidQuery("query.timeframe", `not served by provider ${providers.market.name}`);
      }
      const at = now();
      const { start, end, empty } = resolveRange(
        q.start,
        q.end,
        at,
        DEFAULT_SPAN_MS[q.timeframe],
        MAX_SPAN_MS[q.timeframe],
      );
      // Without a start the client asks for the latest bars, not the window's oldest.
      const latest = q.start === undefined;
      const served = empty
        ? nothing(providers.market.name, [], at)
        : await guarded(() =>
            providers.market.bars(
              symbol,
              {
                timeframe: q.timeframe,
                start,
                end,
                limit: q.limit,
                latest,
                requester: c.get("principal")?.userId,
                ...rollingOf(q),
              },
              c.req.raw.signal,
            ),
          );
      const cursor = barsCursor(served.data, latest, { start, end });
      const answer = {
        symbol,
        timeframe: q.timeframe,
        bars: served.data,
        ...cursor,
        ...meta$(served),
      };
      return slicedJsonResponse(c, answer, "bars");
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: "get",
      path: "/v1/news",
      operationId: "listNews",
      summary: "News, newest first",
      request: { query: NewsQuery },
      responses: ok(NewsResponse, "News items"),
    }),
    async (c) => {
      const q = c.req.valid("query");
      const symbols = q.symbols ? [...new Set(q.symbols.split(",").map((s) => s.trim()))] : [];
      if (symbols.length > 10) throw invalidQuery("query.symbols", "at most 10 symbols");
      if (symbols.some((s) => !SYMBOL_PATTERN.test(s)))
        throw invalidQuery("query.symbols", "each symbol must match ^[A-Z][A-Z0-9.-]{0,9}$");
      if (symbols.length === 0 && !providers.news.generalFeed) {
        throw invalidQuery("query.symbols", `required by provider ${providers.news.name}`);
      }
      const at = now();
      const { start, end, empty } = resolveRange(
        q.start,
        q.end,
        at,
        NEWS_DEFAULT_SPAN_MS,
        NEWS_MAX_SPAN_MS,
      );
      // One more than the page tells whether it ends inside a millisecond (newsCursor.ts); not
      // past a provider page (Alpaca's 50), which would cost a second upstream call.
      const limit = Math.min(q.limit + 1, MAX_NEWS);
      const served = empty
        ? nothing(providers.news.name, [], at)
        : await guarded(() =>
            providers.news.news({ symbols, start, end, limit, ...rollingOf(q) }, c.req.raw.signal),
          );
      return c.json({ ...newsPage(served.data, q.limit, start), ...meta$(served) }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: "get",
      path: "/v1/altdata/sentiment/{symbol}",
      operationId: "getSentiment",
      summary: "Sentiment and social mentions",
      request: { query: NoQuery, params: SymbolParam },
      responses: ok(SentimentResponse, "Sentiment"),
    }),
    async (c) => {
      const { symbol } = c.req.valid("param");
      const served = await guarded(() => providers.altdata.sentiment(symbol, c.req.raw.signal));
      return c.json({ sentiment: served.data, ...meta$(served) }, 200);
    },
  );
}
