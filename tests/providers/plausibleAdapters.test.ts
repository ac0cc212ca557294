/**
 * The rules of src/providers/plausible.ts through the adapters and
 * createProviders, against fakes replaying the hostile payloads a probe sent
 * (the rules themselves: plausible.test.ts).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import {
  AlphaVantageProvider,
  createProviders,
  FinnhubProvider,
  isProviderError,
  type Quote,
} from "../../src/providers/index.ts";
import { checkedQuote } from "../../src/providers/plausible.ts";
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
