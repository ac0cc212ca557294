/**
 * The stale fallback of requests whose range moves with the clock: "the latest bars" and
 * "recent news", asked without `end`. Each minute they are another query with another cache
 * key, so once the minute turned a failing provider had left them no fallback (503) while
 * the same data, a minute old, sat in the cache (client probe). Real Alpaca adapter against
 * a fake on 127.0.0.1; the clock is injected.
 */
import { afterAll, expect, test } from "bun:test";
import type { MiddlewareHandler } from "hono";
import { ManualClock } from "../../src/clock/index.ts";
import type { AppEnv } from "../../src/http/context.ts";
import { registerMarketRoutes } from "../../src/http/routes/market.ts";
import { createProviders } from "../../src/providers/index.ts";
import { BreakerRegistry } from "../../src/resilience/index.ts";
import { silentLogger } from "../../src/telemetry/logger.ts";
import { alpacaConfig } from "../providers/fakes/alpacaConfig.ts";
import { startFake } from "../providers/fakes/fakeServer.ts";
import { appWithRoutes } from "./support/testApp.ts";

const NOW = Date.parse("2024-03-15T18:00:30Z");
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

const alpaca = startFake({
  "/v2/stocks/bars": (url) => ({
    bars: {
      [url.searchParams.get("symbols") ?? ""]: [
        {
          t: iso(NOW - (NOW % DAY) - DAY),
          o: 170,
          h: 172,
          l: 169,
          c: 171,
          v: 1000,
          n: 10,
          vw: 170.5,
        },
      ],
    },
    next_page_token: null,
  }),
  "/v1beta1/news": () => ({
    news: [
      {
        id: 1,
        headline: "desk news",
        author: "desk",
        created_at: iso(NOW - 3_600_000),
        updated_at: iso(NOW - 3_600_000),
        summary: "",
        url: "https://news.example.com/1",
        symbols: ["AAPL"],
        source: "benzinga",
      },
    ],
    next_page_token: null,
  }),
});
afterAll(() => alpaca.stop());

const pass: MiddlewareHandler<AppEnv> = async (_c, next) => next();

function app(clock: ManualClock) {
  const providers = createProviders(
    alpacaConfig(alpaca.url, { NEWS_PROVIDER: "alpaca", PROVIDER_CACHE_TTL: 300_000 }),
    { clock, logger: silentLogger, registry: new BreakerRegistry() },
  );
  return appWithRoutes([
    (a) => registerMarketRoutes(a, { providers, authorize: pass, now: () => clock.now() }),
  ]);
}

test.each([
  ["the latest bars", "/v1/market/bars/AAPL?timeframe=1Day&limit=5"],
  ["bars since a start", "/v1/market/bars/AAPL?timeframe=1Day&start=2024-03-10T00:00:00Z"],
  ["recent news", "/v1/news?symbols=AAPL"],
  ["news since a start", "/v1/news?symbols=AAPL&start=2024-03-15T00:00:00Z"],
])(
  "%s: a minute later, a failing provider is answered from the cache, marked stale",
  async (_, path) => {
    const clock = new ManualClock(NOW);
    const a = app(clock);
    alpaca.fault = undefined;
    const fresh = await a.request(path);
    expect(fresh.status).toBe(200);
    const first = (await fresh.json()) as Record<string, unknown>;
    expect(first.stale).toBe(false);

    alpaca.fault = { kind: "status", status: 500 };
    try {
      clock.advance(62_000); // another minute: another range, another cache key
      const later = await a.request(path);
      expect(later.status).toBe(200);
      const body = (await later.json()) as Record<string, unknown>;
      expect([body.stale, body.age_ms]).toEqual([true, 62_000]);
      const items = (b: Record<string, unknown>) => b.bars ?? b.news;
      expect(items(body)).toEqual(items(first));
    } finally {
      alpaca.fault = undefined;
    }
  },
);

test("a fixed range's fallback is its own answer, not another range's", async () => {
  const clock = new ManualClock(NOW);
  const a = app(clock);
  const one = "/v1/market/bars/AAPL?timeframe=1Day&end=2024-03-15T00:00:00Z";
  expect((await a.request(one)).status).toBe(200);
  alpaca.fault = { kind: "status", status: 500 };
  try {
    clock.advance(62_000);
    expect((await a.request(one)).status).toBe(200); // its own cached answer, stale
    const other = await a.request("/v1/market/bars/AAPL?timeframe=1Day&end=2024-03-14T00:00:00Z");
    expect(other.status).toBe(503);
  } finally {
    alpaca.fault = undefined;
  }
});

test("a rolling request falls back only to its own shape: the same start, limit and symbol", async () => {
  const clock = new ManualClock(NOW);
  const a = app(clock);
  const since = (start: string, limit = 1000, symbol = "AAPL") =>
    `/v1/market/bars/${symbol}?timeframe=1Day&start=${start}&limit=${limit}`;
  expect((await a.request(since("2024-03-10T00:00:00Z"))).status).toBe(200);
  expect((await a.request("/v1/news?symbols=AAPL&limit=5")).status).toBe(200);
  alpaca.fault = { kind: "status", status: 500 };
  try {
    clock.advance(62_000);
    expect((await a.request(since("2024-03-10T00:00:00Z"))).status).toBe(200);
    for (const other of [
      since("2024-03-11T00:00:00Z"),
      since("2024-03-10T00:00:00Z", 999),
      since("2024-03-10T00:00:00Z", 1000, "MSFT"),
      "/v1/news?symbols=AAPL&limit=6",
      "/v1/news?symbols=MSFT&limit=5",
    ]) {
      expect([other, (await a.request(other)).status]).toEqual([other, 503]);
    }
  } finally {
    alpaca.fault = undefined;
  }
});
