/**
 * `createProviders(config, {clock, logger})`: the configured market, news
 * and alternative-data providers behind their resilience pipelines and cache.
 * One pipeline (breaker, bucket, bulkhead) per real provider, shared by the
 * data kinds it serves, because its rate limit and health are per account.
 * @module
 */
import { type Clock, systemClock } from "../clock/index.ts";
import type { Config } from "../config/index.ts";
import { type BreakerRegistry, breakerRegistry, type StateChange } from "../resilience/index.ts";
import type { Logger } from "../telemetry/logger.ts";
import { AlpacaProvider } from "./alpaca/index.ts";
import { AlphaVantageProvider } from "./alphavantage/index.ts";
import { OperationCaches } from "./cache.ts";
import { FinnhubProvider } from "./finnhub/index.ts";
import { InFlight } from "./inflight.ts";
import { checkedQuote } from "./plausible.ts";
import { type PolicyTuning, providerPolicy } from "./policy.ts";
import { type AttemptWork, type ServeDeps, type Served, serve } from "./served.ts";
import { SimulatedProvider } from "./simulator/index.ts";
import type {
  AltDataProvider,
  Bar,
  BarsQuery,
  MarketDataProvider,
  NewsItem,
  NewsProvider,
  NewsQuery,
  Quote,
  Rolling,
  Sentiment,
  Timeframe,
} from "./types.ts";

type ProviderName = Config["MARKET_DATA_PROVIDER"];
type ProviderConfig = Pick<
  Config,
  | "MARKET_DATA_PROVIDER"
  | "NEWS_PROVIDER"
  | "ALTDATA_PROVIDER"
  | "SIM_SEED"
  | "ALPACA_API_KEY_ID"
  | "ALPACA_API_SECRET_KEY"
  | "ALPACA_DATA_URL"
  | "FINNHUB_API_KEY"
  | "FINNHUB_BASE_URL"
  | "ALPHA_VANTAGE_API_KEY"
  | "ALPHA_VANTAGE_BASE_URL"
  | "PROVIDER_ATTEMPT_TIMEOUT"
  | "PROVIDER_TOTAL_TIMEOUT"
  | "PROVIDER_CACHE_TTL"
>;

/** Options of {@link createProviders}. */
export interface CreateProvidersOptions {
  clock?: Clock;
  logger: Logger;
  /** Where breakers are registered (default: the process-wide registry /v1/admin/status lists). */
  registry?: BreakerRegistry;
  tuning?: Partial<PolicyTuning>;
}

/** How long a cached answer is served without asking the provider again. */
const FRESH_MS = { quote: 1_000, bars: 30_000, news: 60_000, sentiment: 300_000 } as const;

/**
 * A breaker's state change, once per change: the outage's start and end in the log, where
 * every turned-away request is otherwise just one more 503 (soak). Only the opening from closed
 * is a warning, the line to alert on; a failed probe re-opening it during the same outage is
 * not (it had repeated the warning every break).
 */
function logBreakerChange(
  logger: Logger,
  provider: string,
  change: StateChange,
  breakMs: number,
): void {
  const fields = { provider, from: change.from, to: change.to };
  if (change.to !== "open") logger.info("provider breaker", fields);
  else if (change.from === "closed") {
    logger.warn("provider breaker opened: calls fail fast", { ...fields, break_ms: breakMs });
  } else
    logger.info("provider breaker: probe failed, open again", { ...fields, break_ms: breakMs });
}

/** A range's part of a shape key: the ends that move with the clock named, not valued. */
const rangeKey = (q: { start: number; end: number; rolling?: Rolling }): [string, string] => [
  q.rolling === "range" ? "span" : String(q.start),
  q.rolling ? "now" : String(q.end),
];

/** Market data as the routes consume it. */
export interface MarketService {
  readonly name: string;
  readonly timeframes: readonly Timeframe[];
  latestQuote(symbol: string, signal: AbortSignal): Promise<Served<Quote>>;
  bars(symbol: string, query: BarsQuery, signal: AbortSignal): Promise<Served<Bar[]>>;
}
/** News as the routes consume it. */
export interface NewsService {
  readonly name: string;
  readonly generalFeed: boolean;
  news(query: NewsQuery, signal: AbortSignal): Promise<Served<NewsItem[]>>;
}
/** Alternative data as the routes consume it. */
export interface AltDataService {
  readonly name: string;
  sentiment(symbol: string, signal: AbortSignal): Promise<Served<Sentiment>>;
}
/** Health of one data kind. */
export interface ProviderHealth {
  kind: "market" | "news" | "altdata";
  provider: string;
  breaker: string | null;
}
/** What {@link createProviders} returns. */
export interface Providers {
  market: MarketService;
  news: NewsService;
  altdata: AltDataService;
  health(): ProviderHealth[];
}

type Adapter = SimulatedProvider | AlpacaProvider | FinnhubProvider | AlphaVantageProvider;

/** Builds the configured providers (the schema has refused impossible selections). */
export function createProviders(
  config: ProviderConfig,
  options: CreateProvidersOptions,
): Providers {
  const clock = options.clock ?? systemClock;
  const registry = options.registry ?? breakerRegistry;
  const caches = new OperationCaches();
  const inflight = new InFlight();
  const adapters = new Map<ProviderName, { adapter: Adapter; deps: ServeDeps }>();

  const get = (name: ProviderName) => {
    const existing = adapters.get(name);
    if (existing) return existing;
    const adapter = build(name);
    const policy =
      name === "simulated"
        ? undefined
        : providerPolicy({
            name,
            attemptTimeoutMs: config.PROVIDER_ATTEMPT_TIMEOUT,
            totalTimeoutMs: config.PROVIDER_TOTAL_TIMEOUT,
            clock,
            registry,
            ...(options.tuning ? { tuning: options.tuning } : {}),
          });
    const breaker = policy?.breaker;
    breaker?.onStateChange((change) =>
      logBreakerChange(options.logger, name, change, Math.round(breaker.retryAfterMs())),
    );
    const entry = {
      adapter,
      deps: {
        provider: name,
        clock,
        logger: options.logger,
        caches,
        inflight,
        staleMs: config.PROVIDER_CACHE_TTL,
        pipeline: policy?.pipeline,
        ...(policy ? { bucket: policy.bucket } : {}),
      },
    };
    adapters.set(name, entry);
    return entry;
  };

  const build = (name: ProviderName): Adapter => {
    switch (name) {
      case "simulated":
        return new SimulatedProvider({ seed: config.SIM_SEED, clock });
      case "alpaca":
        return new AlpacaProvider({
          keyId: config.ALPACA_API_KEY_ID ?? "",
          secretKey: config.ALPACA_API_SECRET_KEY ?? "",
          ...(config.ALPACA_DATA_URL ? { dataUrl: config.ALPACA_DATA_URL } : {}),
          clock,
        });
      case "finnhub":
        return new FinnhubProvider({
          apiKey: config.FINNHUB_API_KEY ?? "",
          ...(config.FINNHUB_BASE_URL ? { baseUrl: config.FINNHUB_BASE_URL } : {}),
          clock,
        });
      case "alphavantage":
        return new AlphaVantageProvider({
          apiKey: config.ALPHA_VANTAGE_API_KEY ?? "",
          ...(config.ALPHA_VANTAGE_BASE_URL ? { baseUrl: config.ALPHA_VANTAGE_BASE_URL } : {}),
          clock,
        });
    }
  };

  const attempt = <T>(fn: AttemptWork<T>): AttemptWork<T> => fn;

  const market = get(config.MARKET_DATA_PROVIDER);
  const news = get(config.NEWS_PROVIDER);
  const alt = get(config.ALTDATA_PROVIDER);
  const marketAdapter = market.adapter as MarketDataProvider;
  const newsAdapter = news.adapter as NewsProvider;
  const altAdapter = alt.adapter as AltDataProvider;

  return {
    market: {
      name: marketAdapter.name,
      timeframes: marketAdapter.timeframes,
      latestQuote: (symbol, signal) =>
        serve(
          market.deps,
          "quote",
          symbol,
          FRESH_MS.quote,
          attempt(async (s) =>
            checkedQuote(
              marketAdapter.name,
              await marketAdapter.latestQuote(symbol, s),
              clock.now(),
            ),
          ),
          signal,
        ),
      bars: (symbol, query, signal) => {
        const { timeframe, limit, rolling } = query;
        const order = query.latest ? "last" : "first";
        const [start, end] = rangeKey(query);
        return serve(
          market.deps,
          "bars",
          `${symbol}|${timeframe}|${query.start}|${query.end}|${limit}|${order}`,
          FRESH_MS.bars,
          attempt((s) => marketAdapter.bars(symbol, query, s)),
          signal,
          rolling && `${symbol}|${timeframe}|${start}|${end}|${limit}|${order}`,
        );
      },
    },
    news: {
      name: newsAdapter.name,
      generalFeed: newsAdapter.generalFeed,
      news: (query, signal) => {
        const symbols = query.symbols.join(",");
        const [start, end] = rangeKey(query);
        return serve(
          news.deps,
          "news",
          `${symbols}|${query.start}|${query.end}|${query.limit}`,
          FRESH_MS.news,
          attempt((s) => newsAdapter.news(query, s)),
          signal,
          query.rolling && `${symbols}|${start}|${end}|${query.limit}`,
        );
      },
    },
    altdata: {
      name: altAdapter.name,
      sentiment: (symbol, signal) =>
        serve(
          alt.deps,
          "sentiment",
          symbol,
          FRESH_MS.sentiment,
          attempt((s) => altAdapter.sentiment(symbol, s)),
          signal,
        ),
    },
    health: () =>
      (
        [
          ["market", config.MARKET_DATA_PROVIDER],
          ["news", config.NEWS_PROVIDER],
          ["altdata", config.ALTDATA_PROVIDER],
        ] as const
      ).map(([kind, provider]) => ({
        kind,
        provider,
        breaker: provider === "simulated" ? null : (registry.get(provider)?.state ?? null),
      })),
  };
}
