import { describe, expect, test } from "bun:test";
import {
  BreakerRegistry,
  CircuitBreaker,
  exponentialBackoff,
  isBrokenCircuitError,
  isIsolatedCircuitError,
  ManualScheduler,
  withCircuitBreaker,
} from "../../src/resilience/index.ts";
import { failing, rejectionOf, succeeding } from "./support/deferred.ts";

describe("isolate and reset", () => {
  test("isolation is reference-counted and the last release closes the circuit", async () => {
    const s = new ManualScheduler();
    const b = new CircuitBreaker({ clock: s });
    const one = b.isolate();
    const two = b.isolate();
    const error = await rejectionOf(b.execute(succeeding(1)));
    expect(isIsolatedCircuitError(error)).toBe(true);
    expect(isBrokenCircuitError(error)).toBe(true);
    one.dispose();
    one.dispose(); // idempotent: must not release `two`
    expect(b.state).toBe("isolated");
    await s.advance(1e9); // no break duration ends an isolation
    expect(isIsolatedCircuitError(await rejectionOf(b.execute(succeeding(1))))).toBe(true);
    two.dispose();
    expect(b.state).toBe("closed");
    expect(await b.execute(succeeding("ok"))).toBe("ok");
  });

  test("reset closes, clears the window and backoff, and voids old isolation handles", async () => {
    const s = new ManualScheduler();
    const b = new CircuitBreaker({
      clock: s,
      failureThreshold: 2,
      breakDuration: exponentialBackoff({ initialMs: 100, jitter: "none" }),
    });
    await rejectionOf(b.execute(failing()));
    b.reset();
    await rejectionOf(b.execute(failing()));
    expect(b.state).toBe("closed"); // the first failure was forgotten
    const handle = b.isolate();
    b.reset();
    expect(b.state).toBe("closed");
    const again = b.isolate();
    handle.dispose(); // stale: does not release `again`
    expect(b.state).toBe("isolated");
    again.dispose();
    expect(b.state).toBe("closed");
  });
});

describe("toJSON and initialState", () => {
  test("an open breaker is restored open, with its remaining break and backoff position", async () => {
    const s = new ManualScheduler();
    const breakDuration = exponentialBackoff({ initialMs: 1_000, jitter: "none" });
    const a = new CircuitBreaker({ clock: s, failureThreshold: 1, breakDuration });
    await rejectionOf(a.execute(failing()));
    await s.advance(1_000);
    await rejectionOf(a.execute(failing())); // second opening: 2 s
    await s.advance(500);
    const saved = JSON.parse(JSON.stringify(a));
    const b = new CircuitBreaker({
      clock: s,
      failureThreshold: 1,
      breakDuration,
      initialState: saved,
    });
    expect(b.state).toBe("open");
    expect(b.retryAfterMs()).toBe(1_500);
    await s.advance(1_500);
    await rejectionOf(b.execute(failing())); // third opening continues the sequence: 4 s
    expect(b.retryAfterMs()).toBe(4_000);
  });

  test("half-open is saved as open-since-0, so the restored breaker probes at once", async () => {
    const s = new ManualScheduler();
    const a = new CircuitBreaker({ clock: s, failureThreshold: 1, breakDuration: 1_000 });
    await rejectionOf(a.execute(failing()));
    await s.advance(1_000);
    const pending = a.execute(() => new Promise<never>(() => {}));
    expect(a.state).toBe("half-open");
    void pending;
    const b = new CircuitBreaker({
      clock: s,
      failureThreshold: 1,
      breakDuration: 1_000,
      initialState: a.toJSON(),
    });
    expect(await b.execute(succeeding("probe"))).toBe("probe");
    expect(b.state).toBe("closed");
  });

  test("window contents survive a round trip", async () => {
    const s = new ManualScheduler();
    const opts = {
      clock: s,
      failureRateThreshold: 0.5,
      window: { kind: "count" as const, size: 4 },
      minimumThroughput: 4,
    };
    const a = new CircuitBreaker(opts);
    await a.execute(succeeding(1));
    await rejectionOf(a.execute(failing()));
    await rejectionOf(a.execute(failing()));
    const b = new CircuitBreaker({ ...opts, initialState: structuredClone(a.toJSON()) });
    expect(b.snapshot().window).toMatchObject({ calls: 3, failures: 2 });
    await b.execute(succeeding(1));
    expect(b.state).toBe("open"); // 2 of 4
  });

  test("a time window round trip keeps its buckets", async () => {
    const s = new ManualScheduler();
    const opts = {
      clock: s,
      failureRateThreshold: 0.5,
      window: { kind: "time" as const, durationMs: 10_000 },
    };
    const a = new CircuitBreaker(opts);
    await rejectionOf(a.execute(failing()));
    const b = new CircuitBreaker({ ...opts, initialState: JSON.parse(JSON.stringify(a)) });
    expect(b.snapshot().window).toMatchObject({ kind: "time", calls: 1, failures: 1 });
  });

  test("an isolated breaker is restored isolated and only reset() ends it", () => {
    const a = new CircuitBreaker();
    a.isolate();
    const b = new CircuitBreaker({ initialState: a.toJSON() });
    expect(b.state).toBe("isolated");
    b.reset();
    expect(b.state).toBe("closed");
  });
});

describe("registry", () => {
  test("withCircuitBreaker registers by name; the same name shares one breaker", async () => {
    const registry = new BreakerRegistry();
    const s = new ManualScheduler();
    const a = withCircuitBreaker("alpaca", { failureThreshold: 2, clock: s, registry })(failing());
    const b = withCircuitBreaker("alpaca", { failureThreshold: 99, registry })(succeeding(1));
    withCircuitBreaker("finnhub", { registry });
    await rejectionOf(a());
    await rejectionOf(a());
    expect(isBrokenCircuitError(await rejectionOf(b()))).toBe(true);
    const list = registry.list();
    expect(list.map((x) => [x.name, x.state])).toEqual([
      ["alpaca", "open"],
      ["finnhub", "closed"],
    ]);
    expect(JSON.parse(JSON.stringify(list))).toEqual(list);
    expect(list[0]?.counts).toEqual({
      successes: 0,
      failures: 2,
      rejections: 1,
      ignored: 0,
      late: 0,
    });
  });

  test("an isolated breaker lists a null retry-after (JSON has no Infinity)", () => {
    const registry = new BreakerRegistry();
    registry.getOrCreate("x").isolate();
    expect(registry.list()[0]?.retryAfterMs).toBeNull();
    expect(() => registry.register(new CircuitBreaker({ name: "x" }))).toThrow();
  });
});
