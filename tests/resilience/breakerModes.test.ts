import { describe, expect, test } from "bun:test";
import {
  type BrokenCircuitError,
  CircuitBreaker,
  type CircuitBreakerOptions,
  isBrokenCircuitError,
  ManualScheduler,
} from "../../src/resilience/index.ts";
import { failing, rejectionOf, succeeding } from "./support/deferred.ts";

const make = (s: ManualScheduler, opts: CircuitBreakerOptions) =>
  new CircuitBreaker({ clock: s, breakDuration: 1_000, ...opts });

async function feed(b: CircuitBreaker, pattern: string): Promise<void> {
  for (const c of pattern) {
    if (c === "F") await rejectionOf(b.execute(failing()));
    else await b.execute(succeeding(1));
  }
}

describe("consecutive mode", () => {
  test("opens on the threshold-th failure in a row (inclusive); a success restarts the count", async () => {
    const s = new ManualScheduler();
    const b = make(s, { failureThreshold: 3 });
    await feed(b, "FFSFF");
    expect(b.state).toBe("closed");
    await feed(b, "F");
    expect(b.state).toBe("open");
  });

  test("an open circuit rejects at once with the remaining break, without calling the work", async () => {
    const s = new ManualScheduler();
    const b = make(s, { failureThreshold: 1 });
    await feed(b, "F");
    await s.advance(400);
    let called = false;
    const error = await rejectionOf(b.execute(async () => (called = true)));
    expect(isBrokenCircuitError(error)).toBe(true);
    expect((error as BrokenCircuitError).retryAfterMs).toBe(600);
    expect(called).toBe(false);
    expect(b.snapshot().counts.rejections).toBe(1);
  });

  test("the seed default is 5", async () => {
    const s = new ManualScheduler();
    const b = make(s, {});
    await feed(b, "FFFF");
    expect(b.state).toBe("closed");
    await feed(b, "F");
    expect(b.state).toBe("open");
  });
});

describe("count-based window", () => {
  test("inclusive threshold: 5 failures of 10 at 50 % opens", async () => {
    const s = new ManualScheduler();
    const b = make(s, {
      failureRateThreshold: 0.5,
      window: { kind: "count", size: 10 },
      minimumThroughput: 10,
    });
    await feed(b, "SSSSSFFFF");
    expect(b.state).toBe("closed");
    await feed(b, "F");
    expect(b.state).toBe("open");
  });

  test("no opening below the minimum throughput, however bad the rate", async () => {
    const s = new ManualScheduler();
    const b = make(s, {
      failureRateThreshold: 0.5,
      window: { kind: "count", size: 10 },
      minimumThroughput: 5,
    });
    await feed(b, "FFFF");
    expect(b.state).toBe("closed");
    await feed(b, "F");
    expect(b.state).toBe("open");
  });

  test("the window slides: old failures fall out", async () => {
    const s = new ManualScheduler();
    const b = make(s, {
      failureRateThreshold: 0.5,
      window: { kind: "count", size: 4 },
      minimumThroughput: 4,
    });
    await feed(b, "FSSS"); // 1/4
    await feed(b, "F"); // window SSSF: 1/4
    expect(b.snapshot().window).toMatchObject({ calls: 4, failures: 1 });
    await feed(b, "F"); // SSFF: 2/4 → open
    expect(b.state).toBe("open");
  });

  test("rates are compared without rounding trouble (3 of 30 at 10 %)", async () => {
    const s = new ManualScheduler();
    const b = make(s, {
      failureRateThreshold: 0.1,
      window: { kind: "count", size: 30 },
      minimumThroughput: 30,
    });
    await feed(b, `${"S".repeat(27)}FF`);
    expect(b.state).toBe("closed");
    await feed(b, "F");
    expect(b.state).toBe("open");
  });

  test("minimum throughput above the size is capped at the size", async () => {
    const s = new ManualScheduler();
    const b = make(s, {
      failureRateThreshold: 1,
      window: { kind: "count", size: 3 },
      minimumThroughput: 100,
    });
    await feed(b, "FFF");
    expect(b.state).toBe("open");
  });
});

describe("time-based window", () => {
  const opts: CircuitBreakerOptions = {
    failureRateThreshold: 0.5,
    window: { kind: "time", durationMs: 10_000, buckets: 10 },
    minimumThroughput: 4,
  };

  test("opens on the rate over the last duration", async () => {
    const s = new ManualScheduler();
    const b = make(s, opts);
    await feed(b, "SSF");
    await s.advance(3_000);
    await feed(b, "F");
    expect(b.state).toBe("open");
  });

  test("outcomes older than the window no longer count", async () => {
    const s = new ManualScheduler(0);
    const b = make(s, opts);
    await feed(b, "FFF");
    await s.advance(10_000);
    expect(b.snapshot().window).toMatchObject({ calls: 0 });
    await feed(b, "SSSF");
    expect(b.state).toBe("closed");
  });
});

describe("slow-call rate", () => {
  test("successful but slow calls (strictly over the duration) open the circuit", async () => {
    const s = new ManualScheduler();
    const b = make(s, {
      failureRateThreshold: 0.5,
      window: { kind: "count", size: 4 },
      minimumThroughput: 4,
      slowCallDurationMs: 100,
      slowCallRateThreshold: 0.5,
    });
    const call = (ms: number) => {
      const p = b.execute(async () => {
        await new Promise<void>((r) => s.setTimeout(r, ms));
        return ms;
      });
      return s.advance(ms).then(() => p);
    };
    await call(100); // exactly the threshold: not slow
    await call(10);
    await call(150);
    expect(b.state).toBe("closed");
    await call(101);
    expect(b.state).toBe("open");
    expect(b.snapshot().counts.failures).toBe(0);
  });

  test("slow calls need a window mode", () => {
    expect(() => new CircuitBreaker({ slowCallDurationMs: 10 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ failureThreshold: 2, failureRateThreshold: 0.5 })).toThrow(
      RangeError,
    );
    expect(() => new CircuitBreaker({ failureRateThreshold: 0 })).toThrow(RangeError);
  });
});
