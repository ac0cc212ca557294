/** createProviders against a failing fake: breaker, stale fallback, provider_unavailable, total timeout, recovery. */
import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import { createProviders, isProviderError } from "../../src/providers/index.ts";
import { BreakerRegistry, isBrokenCircuitError } from "../../src/resilience/index.ts";
import { silentLogger } from "../../src/telemetry/logger.ts";
import { alpacaConfig } from "./fakes/alpacaConfig.ts";
import { startFake } from "./fakes/fakeServer.ts";
import { alpacaRoutes, finnhubRoutes } from "./fakes/payloads.ts";

const fake = startFake(alpacaRoutes);
afterAll(() => fake.stop());
const signal = () => new AbortController().signal;

function build(clock: ManualClock, registry: BreakerRegistry) {
  return createProviders(
    alpacaConfig(fake.url, {
      SIM_SEED: 1,
      PROVIDER_TOTAL_TIMEOUT: 200,
      PROVIDER_CACHE_TTL: 300_000,
    }),
    {
      clock,
      logger: silentLogger,
      registry,
      tuning: {
        failureThreshold: 3,
        breakDurationMs: 10_000,
        breakJitter: false,
        backoffInitialMs: 5,
        backoffMaxMs: 10,
      },
    },
  );
}

describe("resilience wiring", () => {
  test("a news fan-out is paid for whole before it is sent, or not sent at all", async () => {
    const finnhub = startFake(finnhubRoutes({ legacy: false }));
    try {
      const clock = new ManualClock(Date.parse("2024-01-03T15:00:00Z"));
      const providers = createProviders(
        alpacaConfig(fake.url, {
          NEWS_PROVIDER: "finnhub",
          FINNHUB_API_KEY: "key",
          FINNHUB_BASE_URL: finnhub.url,
        }),
        { clock, logger: silentLogger, registry: new BreakerRegistry() },
      );
      const news = (symbols: string[], start: number) =>
        providers.news.news({ symbols, start, end: clock.now(), limit: 50 }, signal()).then(
          () => "served",
          (e: unknown) => (e instanceof Error ? e.name : "error"),
        );
      // Finnhub: a burst of 15. A 9-symbol request spends 9 tokens.
      const nine = ["AAPL", "MSFT", "IBM", "TSLA", "NVDA", "AMZN", "META", "GOOG", "NFLX"];
      expect(await news(nine, 0)).toBe("served");
      const sent = finnhub.requests.length;
      expect(sent).toBe(9);
      // Nine more do not fit in the 6 left, nor within the wait: refused before any is sent.
      expect(await news(nine, 1)).toBe("TokenBucketRejectedError");
      expect(finnhub.requests.length).toBe(sent);
    } finally {
      await finnhub.stop();
    }
  });

  test("each page of a bars request takes a token: the published limit holds across pages", async () => {
    const clock = new ManualClock(Date.parse("2024-01-03T15:00:00Z"));
    const registry = new BreakerRegistry();
    const providers = build(clock, registry);
    let page = 0;
    // A provider that always has another page: 20 pages per request, at most.
    fake.fault = {
      kind: "body",
      get body() {
        page++;
        return {
          bars: { AAPL: [{ t: "2024-01-02T05:00:00Z", o: 1, h: 1, l: 1, c: 1, v: 1 }] },
          next_page_token: `page-${page}`,
        };
      },
    } as never;
    try {
      const outcomes: string[] = [];
      for (let i = 0; i < 4; i++) {
        const query = { timeframe: "1Day" as const, start: i, end: clock.now(), limit: 10_000 };
        outcomes.push(
          await providers.market.bars("AAPL", query, signal()).then(
            () => "served",
            (e: unknown) => (e instanceof Error ? e.name : "error"),
          ),
        );
      }
      // Alpaca: a burst of 50 (150/min after it). Two requests of 20 pages fit; the third runs out.
      expect(outcomes.slice(0, 2)).toEqual(["served", "served"]);
      expect(outcomes).toContain("TokenBucketRejectedError");
      expect(page).toBeLessThanOrEqual(50);
      // Our own back-pressure is no provider failure.
      expect(registry.get("alpaca")?.state).toBe("closed");
    } finally {
      fake.fault = undefined;
    }
  });

  test("stale fallback, breaker opens at its threshold, fails fast, recovers by itself", async () => {
    const clock = new ManualClock(Date.parse("2024-01-03T15:00:00Z"));
    const registry = new BreakerRegistry();
    const providers = build(clock, registry);
    fake.fault = undefined;
    const fresh = await providers.market.latestQuote("AAPL", signal());
    expect(fresh).toMatchObject({ source: "alpaca", stale: false, age_ms: 0 });

    clock.advance(5_000); // past the 1 s fresh window
    fake.fault = { kind: "status", status: 503 };
    const before = fake.requests.length;
    const stale = await providers.market.latestQuote("AAPL", signal());
    expect(stale).toMatchObject({ stale: true, age_ms: 5_000, data: fresh.data });
    expect(fake.requests.length - before).toBe(3); // one call + two retries: 3 consecutive failures
    expect(registry.get("alpaca")?.state).toBe("open");
    expect(providers.health()).toContainEqual({
      kind: "market",
      provider: "alpaca",
      breaker: "open",
    });

    // No cached data for IBM: the open breaker answers at once, without a request.
    const during = fake.requests.length;
    const error = await providers.market.latestQuote("IBM", signal()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isBrokenCircuitError(error)).toBe(true);
    expect(fake.requests.length).toBe(during);

    fake.fault = undefined;
    clock.advance(10_001);
    const recovered = await providers.market.latestQuote("IBM", signal());
    expect(recovered.stale).toBe(false);
    expect(registry.get("alpaca")?.state).toBe("closed");
  });

  test("an open breaker turns calls away without spending the provider's tokens", async () => {
    const clock = new ManualClock(Date.parse("2024-01-03T15:00:00Z"));
    const providers = build(clock, new BreakerRegistry());
    const quote = (symbol: string) =>
      providers.market.latestQuote(symbol, signal()).then(
        () => "served",
        (e: unknown) =>
          isProviderError(e) && e.kind === "not_found" ? "served" : (e as Error).name,
      );
    fake.fault = { kind: "status", status: 503 };
    expect(await quote("AAPL")).toBe("ProviderError"); // 3 attempts: the breaker opens
    // 200 calls while it is open: each refused at once, none paid for (Alpaca's burst is 50).
    for (let i = 0; i < 200; i++) expect(await quote(`S${i}`)).toBe("BrokenCircuitError");
    fake.fault = undefined;
    clock.advance(10_001); // past the break; refills ~33 tokens at most
    // The provider is back: a burst of 45 distinct requests fits in what was never spent.
    const outcomes = [];
    for (let i = 0; i < 45; i++) outcomes.push(await quote(`R${i}`));
    expect(outcomes.filter((o) => o !== "served")).toEqual([]);
  });

  test("a hanging provider never outlives the total timeout; not_found is not a failure", async () => {
    const clock = new ManualClock(Date.parse("2024-01-03T15:00:00Z"));
    const registry = new BreakerRegistry();
    const providers = build(clock, registry);
    fake.fault = undefined;
    for (let i = 0; i < 5; i++) {
      const e = await providers.market.latestQuote("NOPE", signal()).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(isProviderError(e) && e.kind === "not_found").toBe(true);
    }
    expect(registry.get("alpaca")?.state).toBe("closed");

    fake.fault = { kind: "hang" };
    const started = performance.now();
    const e = await providers.market.latestQuote("AAPL", signal()).then(
      () => undefined,
      (x: unknown) => x,
    );
    const elapsed = performance.now() - started;
    expect(e).toBeDefined();
    expect(elapsed).toBeLessThan(200 + 100);
    fake.fault = { kind: "slowBody", delayMs: 500 };
    const slowStart = performance.now();
    await providers.market.latestQuote("IBM", signal()).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(performance.now() - slowStart).toBeLessThan(300);
    fake.fault = undefined;
  });

  test("429 with a Retry-After longer than the budget is not waited for", async () => {
    const clock = new ManualClock(Date.parse("2024-01-03T15:00:00Z"));
    const providers = build(clock, new BreakerRegistry());
    fake.fault = { kind: "status", status: 429, headers: { "Retry-After": "30" } };
    const before = fake.requests.length;
    const e = await providers.market.latestQuote("AAPL", signal()).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(isProviderError(e) && e.retryAfterMs).toBe(30_000);
    expect(fake.requests.length - before).toBe(1);
    fake.fault = undefined;
  });

  test("503 with Retry-After is honoured like a 429: not retried at once, the wait passed on", async () => {
    const clock = new ManualClock(Date.parse("2024-01-03T15:00:00Z"));
    const providers = build(clock, new BreakerRegistry());
    fake.fault = { kind: "status", status: 503, headers: { "Retry-After": "30" } };
    const before = fake.requests.length;
    const e = await providers.market.latestQuote("AAPL", signal()).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(isProviderError(e) && [e.kind, e.retryAfterMs]).toEqual(["unavailable", 30_000]);
    expect(fake.requests.length - before).toBe(1);
    fake.fault = undefined;
  });

  test("a Retry-After that ends exactly at the total budget is not slept: the 429 is the answer", async () => {
    const providers = createProviders(
      alpacaConfig(fake.url, { PROVIDER_TOTAL_TIMEOUT: 1_000, PROVIDER_ATTEMPT_TIMEOUT: 500 }),
      {
        clock: new ManualClock(Date.parse("2024-01-03T15:00:00Z")),
        logger: silentLogger,
        registry: new BreakerRegistry(),
      },
    );
    fake.fault = { kind: "status", status: 429, headers: { "Retry-After": "1" } };
    const started = performance.now();
    const e = await providers.market.latestQuote("AAPL", signal()).then(
      () => undefined,
      (x: unknown) => x,
    );
    // Before, the retry slept 1 s and the total timeout cut it: a TimeoutError, no Retry-After.
    expect(isProviderError(e) && [e.kind, e.retryAfterMs]).toEqual(["rate_limited", 1_000]);
    expect(performance.now() - started).toBeLessThan(500);
    fake.fault = undefined;
  });

  test.each([400, 403, 422])(
    "a %i about one request is not retried and never opens the breaker for everyone",
    async (status) => {
      const clock = new ManualClock(Date.parse("2024-01-03T15:00:00Z"));
      const registry = new BreakerRegistry();
      const providers = build(clock, registry); // threshold 3
      fake.fault = { kind: "status", status, body: '{"message":"invalid symbol: BADX"}' };
      const before = fake.requests.length;
      for (let i = 0; i < 6; i++) {
        const e = await providers.market.latestQuote(`BAD${i}`, signal()).then(
          () => undefined,
          (x: unknown) => x,
        );
        expect(isProviderError(e) && e.kind).toBe("rejected");
      }
      expect(fake.requests.length - before).toBe(6);
      expect(registry.get("alpaca")?.state).toBe("closed");
      fake.fault = undefined;
      expect((await providers.market.latestQuote("AAPL", signal())).stale).toBe(false);
    },
  );

  test("after the wall clock steps back, a cached answer is not served as fresh", async () => {
    const t = Date.parse("2024-01-03T15:00:00Z");
    const clock = new ManualClock(t);
    const providers = build(clock, new BreakerRegistry());
    expect((await providers.market.latestQuote("IBM", signal())).stale).toBe(false);
    const before = fake.requests.length;
    clock.set(t - 3_600_000);
    const answer = await providers.market.latestQuote("IBM", signal());
    expect(fake.requests.length - before).toBe(1); // asked the provider again
    expect(answer.stale).toBe(false);
  });

  test("an upstream 404 (a wrong base URL, a proxy's page) serves cached data and counts toward the breaker", async () => {
    const clock = new ManualClock(Date.parse("2024-01-03T15:00:00Z"));
    const registry = new BreakerRegistry();
    const providers = build(clock, registry);
    fake.fault = undefined;
    const fresh = await providers.market.latestQuote("AAPL", signal());
    clock.advance(5_000);
    fake.fault = { kind: "status", status: 404 };
    const before = fake.requests.length;
    expect(await providers.market.latestQuote("AAPL", signal())).toMatchObject({
      stale: true,
      data: fresh.data,
    });
    expect(fake.requests.length - before).toBe(1); // not retried: the answer will not change
    for (let i = 0; i < 2; i++) {
      const error = await providers.market.latestQuote(`S${i}`, signal()).catch((e: unknown) => e);
      expect(isProviderError(error) && error.kind).toBe("bad_response");
    }
    expect(registry.get("alpaca")?.state).toBe("open");
    fake.fault = undefined;
  });

  test("401 (our credentials) still counts: the breaker opens at its threshold", async () => {
    const clock = new ManualClock(Date.parse("2024-01-03T15:00:00Z"));
    const registry = new BreakerRegistry();
    const providers = build(clock, registry);
    fake.fault = { kind: "status", status: 401 };
    for (let i = 0; i < 3; i++) {
      await providers.market.latestQuote(`S${i}`, signal()).catch(() => {});
    }
    expect(registry.get("alpaca")?.state).toBe("open");
    fake.fault = undefined;
  });
});
