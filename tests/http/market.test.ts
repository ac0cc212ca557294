/** Market routes on the real app: provenance, strict validation, 404 and 503 mapping, OpenAPI. */
import { afterAll, describe, expect, test } from "bun:test";
import type { MiddlewareHandler } from "hono";
import { ManualClock } from "../../src/clock/index.ts";
import type { AppEnv } from "../../src/http/context.ts";
import { registerMarketRoutes } from "../../src/http/routes/market.ts";
import { createProviders } from "../../src/providers/index.ts";
import { BreakerRegistry } from "../../src/resilience/index.ts";
import { createLogger, silentLogger } from "../../src/telemetry/logger.ts";
import { alpacaConfig } from "../providers/fakes/alpacaConfig.ts";
import { startFake } from "../providers/fakes/fakeServer.ts";
import { alpacaRoutes } from "../providers/fakes/payloads.ts";
import { appWithRoutes } from "./support/testApp.ts";

const fake = startFake(alpacaRoutes);
afterAll(() => fake.stop());
const NOW = Date.parse("2024-03-15T18:00:00Z");
const pass: MiddlewareHandler<AppEnv> = async (_c, next) => next();

function app(market: "simulated" | "alpaca", clock = new ManualClock(NOW), logger = silentLogger) {
  const providers = createProviders(
    alpacaConfig(fake.url, { MARKET_DATA_PROVIDER: market, ALPACA_API_SECRET_KEY: "s" }),
    {
      clock,
      logger: silentLogger,
      registry: new BreakerRegistry(),
      tuning: { backoffInitialMs: 5, backoffMaxMs: 5 },
    },
  );
  return appWithRoutes(
    [(a) => registerMarketRoutes(a, { providers, authorize: pass, now: () => clock.now() })],
    logger,
  );
}

const sim = app("simulated");
const get = async (a: ReturnType<typeof app>, path: string) => {
  const res = await a.request(path);
  return {
    status: res.status,
    // biome-ignore lint/suspicious/noExplicitAny: test bodies are inspected structurally.
    body: (await res.json()) as Record<string, any>,
    headers: res.headers,
  };
};

describe("market routes", () => {
  test("quote, bars, news and sentiment from the simulator with provenance", async () => {
    const quote = await get(sim, "/v1/market/quotes/AAPL");
    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({
      source: "simulated",
      stale: false,
      quote: { symbol: "AAPL" },
    });
    const bars = await get(
      sim,
      "/v1/market/bars/AAPL?timeframe=5Min&start=2024-03-14T00:00:00Z&end=2024-03-14T23:59:59Z",
    );
    expect(bars.status).toBe(200);
    expect(bars.body.bars).toHaveLength(78);
    expect((await get(sim, "/v1/news?symbols=AAPL,MSFT&limit=3")).status).toBe(200);
    expect((await get(sim, "/v1/altdata/sentiment/AAPL")).body.sentiment.symbol).toBe("AAPL");
  });

  test("strict validation gives the pinned 400 invalid_request", async () => {
    for (const path of [
      "/v1/market/quotes/aapl",
      "/v1/market/quotes/TOOLONGSYMBOL",
      "/v1/market/bars/AAPL?timeframe=2Min",
      "/v1/market/bars/AAPL?limit=0",
      "/v1/market/bars/AAPL?start=yesterday",
      "/v1/market/bars/AAPL?timeframe=1Min&start=2024-01-01T00:00:00Z&end=2024-03-01T00:00:00Z",
      "/v1/market/bars/AAPL?start=2024-03-02T00:00:00Z&end=2024-03-01T00:00:00Z",
      "/v1/news?symbols=AAPL,bad",
      // limit is what the document says: an integer in decimal digits, nothing a parser tolerates.
      ...["0x10", "1e3", "+5", "5.0", "", "%20", "-1", "10001", "9999999"].map(
        (limit) => `/v1/market/bars/AAPL?limit=${limit}`,
      ),
      "/v1/news?limit=51",
      // A parameter the route does not have is refused, not ignored with the defaults answered.
      "/v1/market/bars/AAPL?tf=1Min",
      "/v1/news?symbol=AAPL",
      // Routes with no parameters at all refuse them too: this sentiment is not as of 2020.
      "/v1/altdata/sentiment/AAPL?as_of=2020-01-01T00:00:00Z",
      "/v1/market/quotes/AAPL?feed=sip",
    ]) {
      const res = await get(sim, path);
      expect([path, res.status, res.body.error.code]).toEqual([path, 400, "invalid_request"]);
      expect(res.body.error.details.length).toBeGreaterThan(0);
    }
  });

  test("an out-of-range limit says the range, a malformed one says what a number is", async () => {
    const detail = async (limit: string) =>
      (await get(sim, `/v1/market/bars/AAPL?limit=${limit}`)).body.error.details[0].message;
    expect(await detail("0")).toBe("must be 1..10000");
    expect(await detail("10001")).toBe("must be 1..10000");
    expect(await detail("1e3")).toBe("must be a whole number in decimal digits");
  });

  test("a start finer than a millisecond is not moved before itself", async () => {
    const at = "2024-03-14T14:30:00";
    const bars = async (start: string, end: string) =>
      get(sim, `/v1/market/bars/AAPL?timeframe=1Min&start=${start}&end=${end}`);
    const exact = await bars(`${at}.000Z`, `${at}.000Z`);
    expect(exact.body.bars.map((b: { t: string }) => b.t)).toEqual([`${at}Z`]);
    const after = await bars(`${at}.0001Z`, "2024-03-14T14:31:00.000000Z");
    expect(after.body.bars.map((b: { t: string }) => b.t)).toEqual(["2024-03-14T14:31:00Z"]);
    // Both inside one millisecond, start after end; or start a whole millisecond after end.
    for (const [start, end] of [
      [`${at}.0009Z`, `${at}.0001Z`],
      [`${at}.001Z`, `${at}.000Z`],
      [`${at}.001Z`, `${at}.0009Z`],
      [`${at}.0010Z`, `${at}.000Z`],
      [`${at}.001Z`, "2024-03-14T15:30:00.000+01:00"],
    ]) {
      expect([start, end, (await bars(start as string, end as string)).status]).toEqual([
        start,
        end,
        400,
      ]);
    }
    // Inside one millisecond in order (or equal): no whole millisecond, so no bar; not a 400.
    for (const [start, end] of [
      [`${at}.0001Z`, `${at}.0001Z`],
      [`${at}.0001Z`, `${at}.0009Z`],
      [`${at}.000001Z`, `${at}.000999Z`],
      [`${at}.00010Z`, `${at}.0001Z`],
    ]) {
      const empty = await bars(start as string, end as string);
      expect([start, empty.status, empty.body.bars]).toEqual([start, 200, []]);
      const news = await get(sim, `/v1/news?symbols=AAPL&start=${start}&end=${end}`);
      expect([start, news.status, news.body.news]).toEqual([start, 200, []]);
    }
  });

  test("unknown symbol 404; failing provider without cache 503 provider_unavailable", async () => {
    const live = app("alpaca");
    expect((await get(live, "/v1/market/quotes/NOPE")).body.error.code).toBe("not_found");
    fake.fault = { kind: "status", status: 500, body: '{"message":"boom"}' };
    const down = await get(live, "/v1/market/quotes/IBM");
    expect([down.status, down.body.error.code]).toEqual([503, "provider_unavailable"]);
    expect(JSON.stringify(down.body)).not.toContain("boom");
    // Every 503 says when to come back (DESIGN §6), before the breaker opens too.
    expect(down.headers.get("retry-after")).toBe("5");
    // A request the provider refuses (its plan, this symbol): not soon.
    fake.fault = { kind: "status", status: 403, body: '{"message":"forbidden"}' };
    const refused = await get(live, "/v1/market/quotes/MSFT");
    expect([refused.status, refused.headers.get("retry-after")]).toEqual([503, "300"]);
    fake.fault = undefined;
  });

  test("a start inside the current minute, without end, is answered up to now", async () => {
    const clock = new ManualClock(NOW + 40_000);
    const a = app("simulated", clock);
    const news = await get(a, "/v1/news?symbols=AAPL&start=2024-03-15T18:00:20Z");
    expect(news.status).toBe(200);
    const bars = await get(a, "/v1/market/bars/AAPL?timeframe=1Min&start=2024-03-15T18:00:30Z");
    expect(bars.status).toBe(200);
    // After now (a poller whose clock runs ahead): nothing yet, not "start after end".
    for (const start of ["2024-03-15T18:00:40.001Z", "2030-01-01T00:00:00Z"]) {
      const ahead = await get(a, `/v1/market/bars/AAPL?timeframe=1Min&start=${start}`);
      expect([start, ahead.status, ahead.body.bars]).toEqual([start, 200, []]);
      const aheadNews = await get(a, `/v1/news?symbols=AAPL&start=${start}`);
      expect([start, aheadNews.status, aheadNews.body.news]).toEqual([start, 200, []]);
    }
  });

  test("the same request without end, moments later, is served from the cache", async () => {
    const clock = new ManualClock(NOW + 10);
    const live = app("alpaca", clock);
    const barCalls = () => fake.requests.filter((r) => r.url.pathname.includes("/bars")).length;
    const before = barCalls();
    expect((await get(live, "/v1/market/bars/AAPL?timeframe=1Day")).status).toBe(200);
    const afterFirst = barCalls();
    expect(afterFirst).toBeGreaterThan(before);
    clock.advance(300);
    const again = await get(live, "/v1/market/bars/AAPL?timeframe=1Day");
    expect(again.status).toBe(200);
    expect(barCalls()).toBe(afterFirst);
  });

  test("without start: the latest bars, and a weekend still shows the last session", async () => {
    // Sunday afternoon in New York: the last 1Min bars are Friday's.
    const sunday = app("simulated", new ManualClock(Date.parse("2024-03-17T18:00:00Z")));
    const minutes = await get(sunday, "/v1/market/bars/AAPL?timeframe=1Min");
    const times = minutes.body.bars.map((b: { t: string }) => Date.parse(b.t));
    expect(times.length).toBeGreaterThan(0);
    expect(new Date(times.at(-1)).getUTCDay()).toBe(5);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // A small limit keeps the newest bars, not the oldest of the window.
    const all = (await get(sim, "/v1/market/bars/AAPL?timeframe=1Day")).body.bars;
    const two = (await get(sim, "/v1/market/bars/AAPL?timeframe=1Day&limit=2")).body.bars;
    expect(two).toEqual(all.slice(-2));
    // With a start, the first bars from it.
    const from = (await get(sim, `/v1/market/bars/AAPL?timeframe=1Day&limit=2&start=${all[0].t}`))
      .body.bars;
    expect(from).toEqual(all.slice(0, 2));
    // Through a cached provider, the default window spelled out is the same range: its first
    // bar, not the latest one cached a moment before.
    const at = Date.parse("2022-02-10T00:00:00Z");
    const cached = app("alpaca", new ManualClock(at));
    const latest = await get(cached, "/v1/market/bars/AAPL?timeframe=1Day&limit=1");
    expect(latest.body.bars.map((b: { t: string }) => b.t)).toEqual(["2022-02-02T05:00:00Z"]);
    const start = new Date(at - 365 * 86_400_000).toISOString();
    const end = new Date(at).toISOString();
    const spelled = await get(
      cached,
      `/v1/market/bars/AAPL?timeframe=1Day&limit=1&start=${start}&end=${end}`,
    );
    expect(spelled.body.bars.map((b: { t: string }) => b.t)).toEqual(["2022-02-01T05:00:00Z"]);
  });

  test("a simulator busy with one caller's multi-year requests sheds the rest: 503, Retry-After, logged at warn", async () => {
    const lines: string[] = [];
    const busy = app(
      "simulated",
      new ManualClock(NOW),
      createLogger("info", (l) => lines.push(l)),
    );
    const long = (i: number) =>
      busy.request(`/v1/market/bars/LONG${i}?timeframe=1Day&start=2023-01-01T00:00:00Z`);
    const answers = await Promise.all(Array.from({ length: 11 }, (_, i) => long(i)));
    // One caller: two computing and four waiting (its share of the eight places), five shed.
    const refused = answers.filter((r) => r.status === 503);
    expect(refused).toHaveLength(5);
    expect(refused.map((r) => r.headers.get("retry-after"))).toEqual(Array(5).fill("1"));
    const levels = lines
      .map((l) => JSON.parse(l) as { msg: string; level: string; status: number })
      .filter((r) => r.msg === "request" && r.status === 503)
      .map((r) => r.level);
    expect(levels).toEqual(Array(5).fill("warn"));
  });

  test("routes are documented in the OpenAPI document", async () => {
    const doc = await get(sim, "/openapi.json");
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        "/v1/market/quotes/{symbol}",
        "/v1/market/bars/{symbol}",
        "/v1/news",
        "/v1/altdata/sentiment/{symbol}",
      ]),
    );
    expect(doc.body.components.schemas.Bar).toBeDefined();
    const limit = doc.body.paths["/v1/market/bars/{symbol}"].get.parameters.find(
      (p: { name: string }) => p.name === "limit",
    );
    expect(limit.schema).toEqual({ type: "integer", minimum: 1, maximum: 10_000, default: 1_000 });
    expect((await get(sim, "/v1/market/bars/AAPL?limit=007")).status).toBe(200);
    // Every status a client can meet before the handler runs is documented too.
    for (const path of ["/v1/market/quotes/{symbol}", "/v1/news"]) {
      expect(Object.keys(doc.body.paths[path].get.responses).sort()).toEqual([
        "200",
        "400",
        "401",
        "404",
        "429",
        "500",
        "503",
      ]);
    }
  });
});
