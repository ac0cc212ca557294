/**
 * The built-in market simulator: the zero-configuration provider of quotes,
 * bars, news and sentiment. Every answer is a pure function of (SIM_SEED,
 * symbol, requested time range, clock time): no network, no files, no state
 * that could make two servers or two runs disagree. Design: docs/providers.md.
 * @module
 */
import type { Clock } from "../../clock/index.ts";
import { fairBulkhead, isBulkheadRejectedError } from "../../resilience/index.ts";
import { ProviderError } from "../errors.ts";
import type {
  AltDataProvider,
  Bar,
  BarsQuery,
  MarketDataProvider,
  NewsItem,
  NewsProvider,
  NewsQuery,
  Quote,
  Sentiment,
} from "../types.ts";
import { TIMEFRAMES } from "../types.ts";
import { chunkedBars } from "./chunkedBars.ts";
import { type ComputeShare, createComputeShare, isComputeShareExhausted } from "./computeShare.ts";
import { toBar } from "./minuteBars.ts";
import { simulatedNews } from "./newsFeed.ts";
import { QuoteMemo } from "./quoteMemo.ts";
import { simulatedSentiment } from "./sentiment.ts";
import { type SymbolParams, symbolParams } from "./symbolParams.ts";

export { isTradingDay, newYorkDay, sessionClose, sessionOpen } from "./calendar.ts";
export { type SymbolParams, symbolParams } from "./symbolParams.ts";

/** Symbols the simulated general news feed covers when a request names none. */
export const SIMULATED_UNIVERSE = ["SPY", "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "IBM"];

/** Options of {@link SimulatedProvider}. */
export interface SimulatorOptions {
  seed: number;
  clock: Clock;
  /** Paces bar computation (default: half the loop, 250 ms of burst; computeShare.ts). */
  computeShare?: ComputeShare;
}

/** Work above which a bar request goes through the bulkhead: a year of sessions. */
const LONG_WORK_MS = 366 * 86_400_000;
/** Calendar time a bar stands for on average (252 sessions of 390 minutes a year). */
const CALENDAR_MS_PER_BAR: Record<BarsQuery["timeframe"], number> = {
  "1Min": 321_000,
  "5Min": 1_605_000,
  "15Min": 4_815_000,
  "1Hour": 17_900_000,
  "1Day": 125_000_000,
};

/**
 * The calendar span a request computes: its range, or less when its limit is reached first
 * (both directions stop there: chunkedBars.ts).
 */
function workSpan(query: BarsQuery): number {
  return Math.min(query.end - query.start, query.limit * CALENDAR_MS_PER_BAR[query.timeframe]);
}

const checkAborted = (signal: AbortSignal): void => {
  if (signal.aborted) throw signal.reason;
};

/** The simulator as market-data, news and alternative-data provider at once. */
export class SimulatedProvider implements MarketDataProvider, NewsProvider, AltDataProvider {
  readonly name = "simulated";
  readonly timeframes = TIMEFRAMES;
  readonly generalFeed = true;
  private readonly seed: number;
  private readonly clock: Clock;
  private readonly quotes = new QuoteMemo();
  /**
   * Bar requests that compute more than a year of sessions (a ten-year daily series of a new
   * symbol is ~0.4 s of CPU) run two at a time, eight more waiting up to 5 s; beyond that the
   * answer is a 503 with Retry-After. The per-user rate limit alone let one viewer keep the only
   * core busy (a resource-exhaustion audit: health checks at 100+ ms). Anything up to a year,
   * the default daily chart included, never waits here, so filling it blocks only other
   * multi-year requests. Every slice of every bar request also spends from one compute share
   * (computeShare.ts): together they get at most half the loop in the long run.
   */
  private readonly longBars = fairBulkhead({
    maxConcurrent: 2,
    maxQueue: 8,
    maxQueuePerKey: 4,
    queueTimeoutMs: 5_000,
  });
  /**
   * Every bar request is admitted here: eight compute at once, 64 more wait up to 5 s, the rest
   * are refused at once. The compute share paces slices but not requests: under a flood,
   * waiters woke in no order, and a request refused after seconds had already spent some of its
   * slices. Waiters are taken one asker (`requester`) at a time, in turn; one asker may hold at
   * most 32 of the 64 places, and when they are all taken a lighter asker takes the newest place
   * of the heaviest: a viewer's flood made other viewers' requests wait behind it or be refused
   * (an audit: 5 of 120 refused, p99 2.2 s). On an idle server a dashboard's burst of up to 40
   * series fits (8 computing, 32 waiting). Long requests pass their own bulkhead first (at most
   * 4 waiting per asker there), so at most two of them hold a place here.
   */
  private readonly allBars = fairBulkhead({
    maxConcurrent: 8,
    maxQueue: 64,
    maxQueuePerKey: 32,
    queueTimeoutMs: 5_000,
  });
  private readonly share: ComputeShare;

  constructor(opts: SimulatorOptions) {
    this.seed = opts.seed;
    this.clock = opts.clock;
    this.share = opts.computeShare ?? createComputeShare();
  }

  private params(symbol: string): SymbolParams {
    return symbolParams(this.seed, symbol);
  }

  async latestQuote(symbol: string, signal: AbortSignal): Promise<Quote> {
    checkAborted(signal);
    const quote = this.quotes.quote(symbol, this.clock.now(), () => this.params(symbol));
    if (!quote) throw new ProviderError(this.name, "not_found", "no session before this time");
    return quote;
  }

  async bars(symbol: string, query: BarsQuery, signal: AbortSignal): Promise<Bar[]> {
    checkAborted(signal);
    // Anonymous callers (tests, in-process use) share one turn.
    const asker = query.requester ?? "";
    const run = () =>
      this.allBars.execute(
        asker,
        async () => {
          const raw = await chunkedBars(
            this.params(symbol),
            query,
            this.clock.now(),
            signal,
            this.share,
          );
          // Converting 10 000 bars is work too: paced like the slices that made them.
          return this.share.run(() => raw.map(toBar), signal);
        },
        signal,
      );
    try {
      if (workSpan(query) <= LONG_WORK_MS) return await run();
      return await this.longBars.execute(asker, run, signal);
    } catch (error) {
      if (!isBulkheadRejectedError(error) && !isComputeShareExhausted(error)) throw error;
      // Load shed by design: the route logs it at warn (market.ts).
      throw new ProviderError(this.name, "rate_limited", "busy computing bars", {
        retryAfterMs: 1_000,
      });
    }
  }

  async news(query: NewsQuery, signal: AbortSignal): Promise<NewsItem[]> {
    checkAborted(signal);
    const symbols = query.symbols.length > 0 ? query.symbols : SIMULATED_UNIVERSE;
    return simulatedNews(
      symbols.map((s) => this.params(s)),
      query,
      this.clock.now(),
    );
  }

  async sentiment(symbol: string, signal: AbortSignal): Promise<Sentiment> {
    checkAborted(signal);
    return simulatedSentiment(this.params(symbol), this.clock.now());
  }
}
