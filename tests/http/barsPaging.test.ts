/**
 * Paging through bars with the cursor of a full page (src/http/routes/barsCursor.ts):
 * forward with `next_start`, backwards with `next_end`; the pages join into
 * exactly what one large request answers, with no bar repeated or skipped.
 */
import { expect, test } from "bun:test";
import type { MiddlewareHandler } from "hono";
import { ManualClock } from "../../src/clock/index.ts";
import { createApp } from "../../src/http/app.ts";
import type { AppEnv } from "../../src/http/context.ts";
import { registerMarketRoutes } from "../../src/http/routes/market.ts";
import { createProviders } from "../../src/providers/index.ts";
import { BreakerRegistry } from "../../src/resilience/index.ts";
import { silentLogger } from "../../src/telemetry/logger.ts";
import { alpacaConfig } from "../providers/fakes/alpacaConfig.ts";

const clock = new ManualClock(Date.parse("2024-03-15T18:00:00Z"));
const pass: MiddlewareHandler<AppEnv> = async (_c, next) => next();
const setIp: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("clientIp", "127.0.0.1");
  await next();
};
const providers = createProviders(
  alpacaConfig("http://127.0.0.1:9", { MARKET_DATA_PROVIDER: "simulated" }),
  {
    clock,
    logger: silentLogger,
    registry: new BreakerRegistry(),
  },
);
const app = createApp({
  config: { environment: "production", BODY_LIMIT: 1024 },
  logger: silentLogger,
  version: "test",
  readiness: async () => ({}),
  clientIp: setIp,
  v1Middleware: [],
  routes: [(a) => registerMarketRoutes(a, { providers, authorize: pass, now: () => clock.now() })],
});

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
  expect([whole.next_start, whole.next_end]).toEqual([null, null]);
  const joined: string[] = [];
  let query = `${range}&limit=100`;
  for (let i = 0; i < 10; i++) {
    const p = await page(query);
    joined.push(...times(p.bars));
    expect(p.next_end).toBeNull();
    if (!p.next_start) break;
    query = `timeframe=1Min&start=${p.next_start}&end=2024-03-14T21:00:00Z&limit=100`;
  }
  expect(joined).toEqual(times(whole.bars));
});

test("a page that ends exactly at the range's last bar has a next page, empty; one short of limit has none", async () => {
  const range = "timeframe=1Day&start=2024-03-11T00:00:00Z&end=2024-03-14T23:00:00Z";
  const full = await page(`${range}&limit=4`);
  expect(full.bars).toHaveLength(4);
  const after = await page(
    `timeframe=1Day&start=${full.next_start}&end=2024-03-14T23:00:00Z&limit=4`,
  );
  expect([after.bars, after.next_start]).toEqual([[], null]);
  expect((await page(`${range}&limit=5`)).next_start).toBeNull();
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
