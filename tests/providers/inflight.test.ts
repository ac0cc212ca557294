/**
 * Identical provider requests in flight share one upstream call; a caller that
 * gives up stops waiting alone, and the call is aborted only when every caller
 * has left. Unit tests of InFlight, then createProviders against a slow fake.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import { createProviders } from "../../src/providers/index.ts";
import { InFlight } from "../../src/providers/inflight.ts";
import { BreakerRegistry } from "../../src/resilience/index.ts";
import { silentLogger } from "../../src/telemetry/logger.ts";
import { alpacaConfig } from "./fakes/alpacaConfig.ts";
import { startFake } from "./fakes/fakeServer.ts";
import { alpacaRoutes, finnhubRoutes } from "./fakes/payloads.ts";

/** A work function the test settles by hand, recording the signal it ran under. */
function controllable<T>() {
  let settle!: { resolve: (v: T) => void; reject: (e: unknown) => void };
  let runs = 0;
  let seen: AbortSignal | undefined;
  const work = (signal: AbortSignal) => {
    runs++;
    seen = signal;
    return new Promise<T>((resolve, reject) => {
      settle = { resolve, reject };
    });
  };
  return { work, settle: () => settle, runs: () => runs, signal: () => seen };
}

describe("InFlight", () => {
  test("concurrent callers of one key share one run and its value", async () => {
    const inflight = new InFlight();
    const c = controllable<number>();
    const callers = Array.from({ length: 5 }, () =>
      inflight.run("k", c.work, new AbortController().signal),
    );
    expect(inflight.size).toBe(1);
    c.settle().resolve(42);
    expect(await Promise.all(callers)).toEqual([42, 42, 42, 42, 42]);
    expect(c.runs()).toBe(1);
    expect(inflight.size).toBe(0);
    // Over: the next caller runs the work again.
    const next = inflight.run("k", c.work, new AbortController().signal);
    c.settle().resolve(7);
    expect(await next).toBe(7);
    expect(c.runs()).toBe(2);
  });

  test("a failure reaches every caller; other keys run apart", async () => {
    const inflight = new InFlight();
    const a = controllable<string>();
    const b = controllable<string>();
    const first = inflight.run("a", a.work, new AbortController().signal);
    const second = inflight.run("a", a.work, new AbortController().signal);
    const other = inflight.run("b", b.work, new AbortController().signal);
    const boom = new Error("provider down");
    a.settle().reject(boom);
    b.settle().resolve("fine");
    expect(await first.catch((e: unknown) => e)).toBe(boom);
    expect(await second.catch((e: unknown) => e)).toBe(boom);
    expect(await other).toBe("fine");
  });

  test("a caller that gives up leaves alone; the last one to leave aborts the work", async () => {
    const inflight = new InFlight();
    const c = controllable<number>();
    const leaving = new AbortController();
    const staying = new AbortController();
    const early = inflight.run("k", c.work, leaving.signal);
    const late = inflight.run("k", c.work, staying.signal);
    leaving.abort(new Error("client went away"));
    expect(((await early.catch((e: unknown) => e)) as Error).message).toBe("client went away");
    expect(c.signal()?.aborted).toBe(false);
    staying.abort(new Error("deadline"));
    await late.catch(() => {});
    expect(c.signal()?.aborted).toBe(true);
    // A caller arriving after the abort does not join the dying call.
    const fresh = inflight.run("k", c.work, new AbortController().signal);
    expect(c.runs()).toBe(2);
    c.settle().resolve(1);
    expect(await fresh).toBe(1);
  });

  test("an already aborted signal is refused without running anything", async () => {
    const inflight = new InFlight();
    const c = controllable<number>();
    const aborted = AbortSignal.abort(new Error("gone"));
    expect(((await inflight.run("k", c.work, aborted).catch((e) => e)) as Error).message).toBe(
      "gone",
    );
    expect(c.runs()).toBe(0);
  });
});

describe("createProviders", () => {
  const fake = startFake(alpacaRoutes);
  afterAll(() => fake.stop());

  test("forty clients asking for one quote while the provider is slow make one upstream call", async () => {
    const clock = new ManualClock(Date.parse("2024-01-03T15:00:00Z"));
    const providers = createProviders(
      alpacaConfig(fake.url, { PROVIDER_ATTEMPT_TIMEOUT: 2_000, PROVIDER_TOTAL_TIMEOUT: 5_000 }),
      {
        clock,
        logger: silentLogger,
        registry: new BreakerRegistry(),
      },
    );
    fake.requests.length = 0;
    fake.fault = { kind: "slowBody", delayMs: 150 };
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, () =>
          providers.market.latestQuote("AAPL", new AbortController().signal),
        ),
      );
      expect(fake.requests.length).toBe(1);
      expect(new Set(answers.map((a) => JSON.stringify(a.data))).size).toBe(1);
      expect(answers.every((a) => a.stale === false)).toBe(true);
      // A different symbol is a different call.
      await providers.market.latestQuote("IBM", new AbortController().signal);
      expect(fake.requests.length).toBe(2);
    } finally {
      fake.fault = undefined;
    }
  });

  test("a quote and a sentiment of one symbol are different calls, never each other's answer", async () => {
    const finnhub = startFake(finnhubRoutes({ legacy: false }));
    try {
      const clock = new ManualClock(Date.parse("2024-01-03T15:00:00Z"));
      const providers = createProviders(
        alpacaConfig(fake.url, {
          MARKET_DATA_PROVIDER: "finnhub",
          ALTDATA_PROVIDER: "finnhub",
          FINNHUB_API_KEY: "key",
          FINNHUB_BASE_URL: finnhub.url,
          PROVIDER_ATTEMPT_TIMEOUT: 2_000,
          PROVIDER_TOTAL_TIMEOUT: 5_000,
        }),
        { clock, logger: silentLogger, registry: new BreakerRegistry() },
      );
      finnhub.fault = { kind: "slowBody", delayMs: 100 };
      const signal = new AbortController().signal;
      const [quote, sentiment] = await Promise.all([
        providers.market.latestQuote("AAPL", signal),
        providers.altdata.sentiment("AAPL", signal),
      ]);
      expect(finnhub.requests.map((r) => r.url.pathname).sort()).toEqual([
        "/quote",
        "/stock/social-sentiment",
      ]);
      expect(quote.data).toHaveProperty("price");
      expect(sentiment.data).toHaveProperty("score");
    } finally {
      await finnhub.stop();
    }
  });
});
