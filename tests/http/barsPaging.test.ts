/**
 * Paging through bars with the cursor (src/http/routes/barsCursor.ts):
 * forward with `next_start`, backwards with `next_end`, until the cursor is
 * null or a page is empty; the pages join into exactly what one large request
 * answers, with no bar repeated or skipped: past the default window of a
 * latest page, and past bars a provider sent that were dropped.
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

const clock = new ManualClock(Date.parse("2024-03-15T18:00:00Z"));
const pass: MiddlewareHandler<AppEnv> = async (_c, next) => next();
/** The market routes over `market` (simulated, or Alpaca at `url`). */
function marketApp(market: "simulated" | "alpaca", url = "http://127.0.0.1:9") {
  const providers = createProviders(
    alpacaConfig(url, { MARKET_DATA_PROVIDER: market, ALPACA_API_SECRET_KEY: "s" }),
    { clock, logger: silentLogger, registry: new BreakerRegistry() },
  );
  return appWithRoutes([
    (a) => registerMarketRoutes(a, { providers, authorize: pass, now: () => clock.now() }),
  ]);
}
const app = marketApp("simulated");

interface Page {
  bars: { t: string }[];
  next_start: string | null;
  next_end: string | null;
}
const page = async (query: string): Promise<Page> => {
  const res = await app.request(`/v1/market/bars/PAGE?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
};
const times = (bars: { t: string }[]) => bars.map((b) => b.t);

test("forward: next_start pages through the range, joining into the one-request answer", async () => {
  const range = "timeframe=1Min&start=2024-03-14T13:00:00Z&end=2024-03-14T21:00:00Z";
  const whole = await page(`${range}&limit=10000`);
  expect(whole.bars).toHaveLength(390);
  expect(whole.next_end).toBeNull();
  const joined: string[] = [];
  let query = `${range}&limit=100`;
  for (let i = 0; i < 10; i++) {
    const p = await page(query);
    joined.push(...times(p.bars));
    expect(p.next_end).toBeNull();
    if (!p.next_start || p.bars.length === 0) break;
    query = `timeframe=1Min&start=${p.next_start}&end=2024-03-14T21:00:00Z&limit=100`;
  }
  expect(joined).toEqual(times(whole.bars));
});

test("a short page points on too; the page after the range's last bar is empty and says so", async () => {
  const range = "timeframe=1Day&start=2024-03-11T00:00:00Z&end=2024-03-14T23:00:00Z";
  const short = await page(`${range}&limit=10`);
  expect(short.bars).toHaveLength(4);
  const after = await page(
    `timeframe=1Day&start=${short.next_start}&end=2024-03-14T23:00:00Z&limit=10`,
  );
  expect([after.bars, after.next_start, after.next_end]).toEqual([[], null, null]);
});

test("backwards: next_end pages through the latest bars, joining into the latest of one request", async () => {
  const latest = await page("timeframe=1Day&limit=30");
  const joined: string[] = [];
  let query = "timeframe=1Day&limit=10";
  for (let i = 0; i < 3; i++) {
    const p = await page(query);
    expect(p.next_start).toBeNull();
    joined.unshift(...times(p.bars));
    query = `timeframe=1Day&limit=10&end=${p.next_end}`;
  }
  expect(joined).toEqual(times(latest.bars));
});

test("backwards past the default window: a page short of limit still points further back", async () => {
  // 1Min keeps a 4-day default window: about 1 560 bars here, fewer than the limit.
  const first = await page("timeframe=1Min&limit=2000");
  expect(first.bars.length).toBeLessThan(2000);
  expect(first.next_end).not.toBeNull();
  const older = await page(`timeframe=1Min&limit=2000&end=${first.next_end}`);
  expect(older.bars.length).toBeGreaterThan(0);
  const firstTime = Date.parse(first.bars[0]?.t ?? "");
  expect(older.bars.every((b) => Date.parse(b.t) < firstTime)).toBe(true);
  // Together, what one request with an explicit range answers for the same span.
  const span = await page(
    `timeframe=1Min&start=${older.bars[0]?.t}&end=${first.bars.at(-1)?.t}&limit=10000`,
  );
  expect([...times(older.bars), ...times(first.bars)]).toEqual(times(span.bars));
});

test("a provider page with a bar dropped as implausible is short, and still points on", async () => {
  // Twenty daily bars from 2024-01-01; the second cannot be real (high below low).
  const rows = Array.from({ length: 20 }, (_, i) => {
    const t = new Date(Date.UTC(2024, 0, 1 + i, 5)).toISOString();
    return i === 1
      ? { t, o: 10, h: 9, l: 11, c: 10, v: 1 }
      : { t, o: 10, h: 11, l: 9, c: 10, v: 1 };
  });
  // Alpaca as documented: bars at or after `start`, at most `limit` of them, ascending.
  const alpaca = startFake({
    "/v2/stocks/bars": (url) => {
      const start = Date.parse(url.searchParams.get("start") ?? "");
      const limit = Number(url.searchParams.get("limit"));
      const bars = rows.filter((r) => Date.parse(r.t) >= start).slice(0, limit);
      return { bars: { PAGE: bars }, next_page_token: null };
    },
  });
  afterAll(() => alpaca.stop());
  const liveApp = marketApp("alpaca", alpaca.url);
  const end = new Date(Date.UTC(2024, 0, 25)).toISOString();
  const joined: string[] = [];
  let start = new Date(Date.UTC(2024, 0, 1)).toISOString();
  for (let i = 0; i < 20; i++) {
    const res = await liveApp.request(
      `/v1/market/bars/PAGE?timeframe=1Day&start=${start}&end=${end}&limit=3`,
    );
    const p = (await res.json()) as Page;
    joined.push(...times(p.bars));
    if (!p.next_start || p.bars.length === 0) break;
    start = p.next_start;
  }
  expect(joined).toEqual(rows.filter((_, i) => i !== 1).map((r) => r.t.replace(".000Z", "Z")));
});
