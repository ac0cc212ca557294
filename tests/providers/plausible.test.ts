/**
 * What a provider may say and still be served (src/providers/plausible.ts):
 * unit rules, then each rule through the adapters and createProviders against
 * fakes replaying the hostile payloads a probe sent.
 */
import { heapStats } from "bun:jsc";
import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import {
  AlphaVantageProvider,
  createProviders,
  FinnhubProvider,
  isProviderError,
  type NewsItem,
  type Quote,
} from "../../src/providers/index.ts";
import {
  boundedNewsItem,
  checkedQuote,
  providerIsoTime,
  withPlausibleExtras,
} from "../../src/providers/plausible.ts";
import { normaliseTime } from "../../src/providers/shape.ts";
import { BreakerRegistry } from "../../src/resilience/index.ts";
import { silentLogger } from "../../src/telemetry/logger.ts";
import { alpacaConfig } from "./fakes/alpacaConfig.ts";
import { startFake } from "./fakes/fakeServer.ts";
import { alpacaRoutes, alphaVantageRoutes, finnhubRoutes } from "./fakes/payloads.ts";

const NOW = Date.parse("2024-01-03T15:00:00Z");
const kindOf = (p: Promise<unknown>) =>
  p.then(
    () => "served",
    (e: unknown) => (isProviderError(e) ? e.kind : e instanceof Error ? e.name : "error"),
  );

describe("rules", () => {
  const quote: Quote = {
    symbol: "AAPL",
    timestamp: "2024-01-03T14:59:00Z",
    price: 10,
    bid: 9.99,
    ask: 10.01,
    bid_size: 3,
    ask_size: 4,
  };
  test("a quote from before 1970 or more than a day ahead, or priced Infinity, is a bad_response", () => {
    for (const bad of [
      { timestamp: "1969-12-31T23:59:59Z" },
      { timestamp: "2024-01-05T15:00:01Z" },
      { timestamp: "" },
      { price: Number.POSITIVE_INFINITY },
      { price: 0 },
    ]) {
      expect(() => checkedQuote("p", { ...quote, ...bad }, NOW)).toThrow("unexpected quote shape");
    }
    expect(checkedQuote("p", quote, NOW)).toEqual(quote);
  });
  test("sizes that are not counts become null; a size without its side stays null", () => {
    const odd = checkedQuote("p", { ...quote, bid_size: -7, ask_size: 1e300 }, NOW);
    expect([odd.bid_size, odd.ask_size]).toEqual([null, null]);
    expect(checkedQuote("p", { ...quote, bid: null, bid_size: 5 }, NOW).bid_size).toBeNull();
  });
  test("a bar's trade count must be a whole count and its average price within the bar", () => {
    const bar = { t: "2024-01-02T05:00:00Z", o: 1, h: 2, l: 1, c: 2, v: 10, n: 3, vw: 1.5 };
    expect(withPlausibleExtras(bar)).toBe(bar);
    expect(withPlausibleExtras({ ...bar, n: -3, vw: -5 })).toMatchObject({ n: null, vw: null });
    expect(withPlausibleExtras({ ...bar, n: 0.5, vw: Number.NaN })).toMatchObject({
      n: null,
      vw: null,
    });
    expect(withPlausibleExtras({ ...bar, vw: 1e308 }).vw).toBeNull();
    expect(withPlausibleExtras({ ...bar, vw: 0.5 }).vw).toBeNull();
    // A hair outside (trades the OHLC leaves out) stays.
    expect(withPlausibleExtras({ ...bar, vw: 2.01 }).vw).toBe(2.01);
  });

  test("cut news text does not keep the provider's whole string alive", () => {
    Bun.gc(true);
    const before = heapStats().extraMemorySize;
    const kept: NewsItem[] = [];
    for (let i = 0; i < 10; i++) {
      // A fresh 8 MB string each time, as JSON.parse makes from a provider body.
      const summary = JSON.parse(JSON.stringify(`${"x".repeat(8_000_000)}${i}`)) as string;
      kept.push(
        boundedNewsItem({
          id: String(i),
          headline: "h",
          summary,
          author: null,
          source: "wire",
          url: null,
          symbols: [],
          created_at: "2024-01-02T05:00:00Z",
          updated_at: "2024-01-02T05:00:00Z",
          sentiment: null,
          sentiment_label: null,
        }),
      );
    }
    Bun.gc(true);
    // Slices would hold 10 × 8 MB; copies hold 10 × 2 000 characters.
    expect(heapStats().extraMemorySize - before).toBeLessThan(20_000_000);
    expect(kept.every((k) => k.summary.length === 2_000)).toBe(true);
  });
  test("news text is cut, a huge URL dropped, symbols kept only when the API could ask for them", () => {
    const item: NewsItem = {
      id: "1",
      headline: "h".repeat(10_000),
      summary: `${"s".repeat(1_999)}😀tail`,
      author: "a".repeat(1_000),
      source: "wire",
      url: `https://example.com/${"x".repeat(100_000)}`,
      symbols: ["AAPL", "AAPL", "<b>", "", "aapl", "CRYPTO:BTC", ...Array(100).fill("IBM")],
      created_at: "2024-01-02T05:00:00Z",
      updated_at: "2024-01-02T05:00:00Z",
      sentiment: null,
      sentiment_label: null,
    };
    const bounded = boundedNewsItem(item);
    expect(bounded.headline).toHaveLength(500);
    // Not cut inside the emoji's surrogate pair.
    expect(bounded.summary).toBe("s".repeat(1_999));
    expect(bounded.author).toHaveLength(200);
    expect(bounded.url).toBeNull();
    expect(bounded.symbols).toEqual(["AAPL", "IBM"]);
  });
  test("provider times: RFC 3339 only, within what Date can hold", () => {
    expect(normaliseTime("2022-03-18T14:02:43.651234567Z")).toBe("2022-03-18T14:02:43.651Z");
    expect(normaliseTime("2022-03-18T10:02:43-04:00")).toBe("2022-03-18T14:02:43Z");
    for (const lenient of [
      "1",
      "+275760-09-13T00:00:00Z",
      "2022-03-18",
      "Tue 2 12",
      "2022-13-45T00:00:00Z",
      // Days that do not exist: Date.parse rolls them into the next month.
      "2024-02-30T10:00:00Z",
      "2023-02-29T10:00:00Z",
      "2024-04-31T00:00:00Z",
      "2024-01-01T24:00:00Z",
      "2024-01-01T10:60:00Z",
    ]) {
      expect(normaliseTime(lenient)).toBe("");
    }
    expect(normaliseTime("2024-02-29T10:00:00Z")).toBe("2024-02-29T10:00:00Z");
    expect(providerIsoTime(1e300)).toBe("");
    expect(providerIsoTime(-1000)).toBe("");
    expect(providerIsoTime(Number.NaN)).toBe("");
    expect(providerIsoTime(1_704_290_400_000)).toBe("2024-01-03T14:00:00Z");
  });
});

describe("through the adapters", () => {
  const clock = new ManualClock(NOW);
  const signal = new AbortController().signal;
  const finnhubFake = startFake(finnhubRoutes({ legacy: false }));
  const avFake = startFake(alphaVantageRoutes);
  const alpacaFake = startFake(alpacaRoutes);
  afterAll(async () => {
    await Promise.all([finnhubFake.stop(), avFake.stop(), alpacaFake.stop()]);
  });
  const finnhub = new FinnhubProvider({ apiKey: "k", baseUrl: finnhubFake.url, clock });
  const av = new AlphaVantageProvider({ apiKey: "k", baseUrl: avFake.url, clock });
  const providers = createProviders(
    alpacaConfig(alpacaFake.url, {
      PROVIDER_ATTEMPT_TIMEOUT: 2_000,
      PROVIDER_TOTAL_TIMEOUT: 5_000,
    }),
    { clock, logger: silentLogger, registry: new BreakerRegistry() },
  );

  test("an Alpaca quote of two 1e308 sides, or from year 9999, is a bad_response, not price null", async () => {
    for (const q of [
      { t: "2024-01-03T14:59:00Z", ap: 1e308, as: 1, bp: 1e308, bs: 1 },
      { t: "9999-12-31T23:59:59Z", ap: 10, as: 1, bp: 9, bs: 1 },
    ]) {
      alpacaFake.fault = { kind: "body", body: { quotes: { IBM: q } } };
      try {
        expect(await kindOf(providers.market.latestQuote("IBM", signal))).toBe("bad_response");
      } finally {
        alpacaFake.fault = undefined;
      }
    }
  });

  test("a Finnhub quote time of 1e300 seconds is a bad_response, not a RangeError", async () => {
    finnhubFake.fault = {
      kind: "body",
      body: { c: 10, d: 0, dp: 0, h: 10, l: 10, o: 10, pc: 10, t: 1e300 },
    };
    try {
      const quote = await finnhub.latestQuote("AAPL", signal);
      expect(quote.timestamp).toBe("");
      expect(() => checkedQuote("finnhub", quote, NOW)).toThrow("unexpected quote shape");
    } finally {
      finnhubFake.fault = undefined;
    }
  });

  test("one Finnhub news item with an impossible time is dropped; the others are served", async () => {
    const item = (id: number, datetime: number) => ({
      category: "company",
      datetime,
      headline: `h${id}`,
      id,
      image: "",
      related: "AAPL",
      source: "wire",
      summary: "",
      url: "https://example.com/",
    });
    finnhubFake.fault = {
      kind: "body",
      body: [item(1, 1_704_200_000), item(2, 1e300), item(3, 1_704_100_000)],
    };
    try {
      const news = await finnhub.news(
        { symbols: ["AAPL"], start: NOW - 7 * 86_400_000, end: NOW, limit: 10 },
        signal,
      );
      expect(news.map((n) => n.headline)).toEqual(["h1", "h3"]);
    } finally {
      finnhubFake.fault = undefined;
    }
  });

  test("an Alpha Vantage trading day that is no date (2024-13-45) is a bad_response", async () => {
    avFake.fault = {
      kind: "body",
      body: {
        "Global Quote": {
          "01. symbol": "IBM",
          "05. price": "185.1200",
          "07. latest trading day": "2024-13-45",
        },
      },
    };
    try {
      const quote = await av.latestQuote("IBM", signal).catch((e: unknown) => e);
      expect(quote instanceof RangeError).toBe(false);
      if (isProviderError(quote)) expect(quote.kind).toBe("bad_response");
      else expect(() => checkedQuote("alphavantage", quote as Quote, NOW)).toThrow();
    } finally {
      avFake.fault = undefined;
    }
  });

  test("an Alpha Vantage day that does not exist (2023-11-31) is dropped, not read as the next day", async () => {
    const day = {
      "1. open": "1",
      "2. high": "2",
      "3. low": "1",
      "4. close": "2",
      "5. volume": "10",
    };
    avFake.fault = {
      kind: "body",
      body: {
        "Meta Data": { "2. Symbol": "IBM" },
        "Time Series (Daily)": { "2023-12-04": day, "2023-11-31": { ...day, "4. close": "1.5" } },
      },
    };
    try {
      const bars = await av.bars(
        "IBM",
        { timeframe: "1Day", start: Date.parse("2023-11-25T00:00:00Z"), end: NOW, limit: 10 },
        signal,
      );
      expect(bars.map((b) => [b.t.slice(0, 10), b.c])).toEqual([["2023-12-04", 2]]);
    } finally {
      avFake.fault = undefined;
    }
  });

  test("an Alpaca page token that is not a short token is a bad_response, never sent back", async () => {
    alpacaFake.fault = {
      kind: "body",
      body: { bars: { AAPL: [] }, next_page_token: "x".repeat(100_000) },
    };
    const before = alpacaFake.requests.length;
    try {
      const kind = await kindOf(
        providers.market.bars(
          "AAPL",
          { timeframe: "1Day", start: NOW - 5 * 86_400_000, end: NOW, limit: 10 },
          signal,
        ),
      );
      expect(kind).toBe("bad_response");
      expect(alpacaFake.requests.length).toBe(before + 1);
    } finally {
      alpacaFake.fault = undefined;
    }
  });

  test("an Alpaca page with nothing for the symbol ends paging, whatever its token says", async () => {
    let pages = 0;
    alpacaFake.fault = {
      kind: "body",
      get body() {
        pages++;
        return { bars: { MSFT: [] }, next_page_token: `page${pages}` };
      },
    } as never;
    try {
      const bars = await providers.market.bars(
        "IBM",
        { timeframe: "1Day", start: NOW - 5 * 86_400_000, end: NOW, limit: 10 },
        signal,
      );
      expect(bars.data).toEqual([]);
      expect(pages).toBe(1);
    } finally {
      alpacaFake.fault = undefined;
    }
  });
});
