import { describe, expect, test } from "bun:test";
import {
  type BrokenCircuitError,
  CircuitBreaker,
  type CircuitBreakerOptions,
  exponentialBackoff,
  isBrokenCircuitError,
  ManualScheduler,
  type StateChange,
} from "../../src/resilience/index.ts";
import { deferred, failing, rejectionOf, succeeding } from "./support/deferred.ts";

const opened = async (s: ManualScheduler, opts: CircuitBreakerOptions = {}) => {
  const b = new CircuitBreaker({ clock: s, failureThreshold: 1, breakDuration: 1_000, ...opts });
  await rejectionOf(b.execute(failing()));
  expect(b.state).toBe("open");
  return b;
};

describe("half-open", () => {
  test("after the break one probe runs; extra callers are rejected at once with a retry-after", async () => {
    const s = new ManualScheduler();
    const b = await opened(s);
    await s.advance(1_000);
    const probe = deferred<string>();
    const first = b.execute(() => probe.promise);
    expect(b.state).toBe("half-open");
    await s.advance(200);
    const extra = await rejectionOf(b.execute(succeeding("x")));
    expect(isBrokenCircuitError(extra)).toBe(true);
    expect((extra as BrokenCircuitError).retryAfterMs).toBe(800);
    probe.resolve("ok");
    expect(await first).toBe("ok");
    expect(b.state).toBe("closed");
  });

  test("a round whose probes all settled well but were too few waits for the next one, past the max wait", async () => {
    const s = new ManualScheduler();
    const b = await opened(s, { halfOpenProbes: 3, halfOpenMaxWaitMs: 5_000 });
    await s.advance(1_000);
    expect(await b.execute(succeeding(1))).toBe(1);
    expect(await b.execute(succeeding(2))).toBe(2);
    expect(b.state).toBe("half-open");
    await s.advance(10_000); // nobody came for the third probe within the max wait
    expect(await b.execute(succeeding(3))).toBe(3);
    expect(b.state).toBe("closed");
  });

  test("probes still in flight past the max wait are given up: a new break", async () => {
    const s = new ManualScheduler();
    const b = await opened(s, { halfOpenProbes: 2, halfOpenMaxWaitMs: 5_000 });
    await s.advance(1_000);
    const hung = deferred<string>();
    void b.execute(() => hung.promise);
    await s.advance(5_000);
    expect(isBrokenCircuitError(await rejectionOf(b.execute(succeeding(1))))).toBe(true);
    expect(b.state).toBe("open");
    hung.resolve("late");
  });

  test("a listener that throws neither replaces the call's error nor silences other listeners", async () => {
    const s = new ManualScheduler();
    const b = new CircuitBreaker({ clock: s, failureThreshold: 1, breakDuration: 1_000 });
    const seen: StateChange[] = [];
    b.onStateChange(() => {
      throw new Error("listener bug");
    });
    b.onStateChange((change) => seen.push(change));
    const first = await rejectionOf(b.execute(failing()));
    expect((first as Error).message).not.toBe("listener bug");
    await s.advance(1_000);
    // The open → half-open change happens inside execute: still a promise, still the probe's result.
    const probe = b.execute(succeeding("ok"));
    expect(probe).toBeInstanceOf(Promise);
    expect(await probe).toBe("ok");
    expect(seen.map((c) => c.to)).toEqual(["open", "half-open", "closed"]);
  });

  test("a failed probe re-opens with a longer break; closing resets the backoff", async () => {
    const s = new ManualScheduler();
    const breakDuration = exponentialBackoff({ initialMs: 1_000, jitter: "none", maxMs: 10_000 });
    const b = await opened(s, { breakDuration });
    expect(b.retryAfterMs()).toBe(1_000);
    await s.advance(1_000);
    await rejectionOf(b.execute(failing()));
    expect([b.state, b.retryAfterMs()]).toEqual(["open", 2_000]);
    await s.advance(2_000);
    await rejectionOf(b.execute(failing()));
    expect(b.retryAfterMs()).toBe(4_000);
    await s.advance(4_000);
    await b.execute(succeeding(1));
    expect(b.state).toBe("closed");
    await rejectionOf(b.execute(failing()));
    expect(b.retryAfterMs()).toBe(1_000);
  });

  test("N probes: the window's threshold applies to the probes", async () => {
    const s = new ManualScheduler();
    const b = new CircuitBreaker({
      clock: s,
      failureRateThreshold: 0.5,
      window: { kind: "count", size: 2 },
      minimumThroughput: 2,
      halfOpenProbes: 3,
      breakDuration: 1_000,
    });
    await rejectionOf(b.execute(failing()));
    await rejectionOf(b.execute(failing()));
    expect(b.state).toBe("open");
    await s.advance(1_000);
    const gates = [deferred<void>(), deferred<void>(), deferred<void>()];
    const probes = gates.map((g) => b.execute(() => g.promise).catch((e) => e));
    expect(isBrokenCircuitError(await rejectionOf(b.execute(succeeding(1))))).toBe(true);
    gates[0]?.reject(new Error("bad"));
    await probes[0];
    expect(b.state).toBe("half-open"); // 1 bad of 3: ceil(0.5 × 3) = 2 needed
    gates[1]?.resolve();
    gates[2]?.resolve();
    await Promise.all(probes);
    expect(b.state).toBe("closed");
  });

  test("a probe that never settles is given up after halfOpenMaxWaitMs", async () => {
    const s = new ManualScheduler();
    const b = await opened(s, { halfOpenMaxWaitMs: 5_000 });
    await s.advance(1_000);
    const hung = deferred<string>();
    const hungCall = b.execute(() => hung.promise).catch((e) => e);
    await s.advance(4_999);
    const turnedAway = await rejectionOf(b.execute(succeeding(1)));
    expect((turnedAway as BrokenCircuitError).retryAfterMs).toBe(1);
    expect(b.state).toBe("half-open");
    await s.advance(1);
    await rejectionOf(b.execute(succeeding(1)));
    expect(b.state).toBe("open");
    await s.advance(1_000);
    expect(await b.execute(succeeding("recovered"))).toBe("recovered");
    expect(b.state).toBe("closed");
    // The hung probe finally fails: it started two transitions ago and changes nothing.
    hung.reject(new Error("too late"));
    await hungCall;
    expect(b.state).toBe("closed");
  });

  test("an error the breaker does not handle counts as success and closes (Polly #1979)", async () => {
    const s = new ManualScheduler();
    const b = await opened(s, { shouldHandle: (e) => (e as Error).message !== "validation" });
    await s.advance(1_000);
    await rejectionOf(b.execute(failing("validation")));
    expect(b.state).toBe("closed");
  });

  test("a probe aborted by its caller frees the slot without deciding", async () => {
    const s = new ManualScheduler();
    const b = await opened(s);
    await s.advance(1_000);
    const controller = new AbortController();
    const p = rejectionOf(
      b.execute(
        (signal) =>
          new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
        controller.signal,
      ),
    );
    controller.abort("client left");
    expect(await p).toBe("client left");
    expect(b.state).toBe("half-open");
    expect(await b.execute(succeeding("probe 2"))).toBe("probe 2");
    expect(b.state).toBe("closed");
    expect(b.snapshot().counts.ignored).toBe(1);
  });
});

describe("late results", () => {
  test("a success started before the circuit opened does not close it (opossum #381)", async () => {
    const s = new ManualScheduler();
    const b = new CircuitBreaker({ clock: s, failureThreshold: 2, breakDuration: 1_000 });
    const slow = deferred<string>();
    const early = b.execute(() => slow.promise);
    await rejectionOf(b.execute(failing()));
    await rejectionOf(b.execute(failing()));
    expect(b.state).toBe("open");
    slow.resolve("late ok");
    expect(await early).toBe("late ok");
    expect(b.state).toBe("open");
    expect(b.snapshot().counts.late).toBe(1);
  });

  test("results from before half-open neither close nor re-open it; the probe decides", async () => {
    const s = new ManualScheduler();
    const b = new CircuitBreaker({ clock: s, failureThreshold: 1, breakDuration: 1_000 });
    const lateOk = deferred<void>();
    const lateBad = deferred<void>();
    const a = b.execute(() => lateOk.promise);
    const c = b.execute(() => lateBad.promise).catch(() => {});
    await rejectionOf(b.execute(failing()));
    await s.advance(1_000);
    const probe = deferred<void>();
    const p = b.execute(() => probe.promise);
    expect(b.state).toBe("half-open");
    lateOk.resolve();
    lateBad.reject(new Error("late failure"));
    await Promise.all([a, c]);
    expect(b.state).toBe("half-open");
    probe.resolve();
    await p;
    expect(b.state).toBe("closed");
  });

  test("a failure started while closed that lands after re-closing does not count", async () => {
    const s = new ManualScheduler();
    const b = new CircuitBreaker({ clock: s, failureThreshold: 1, breakDuration: 1_000 });
    const old = deferred<void>();
    const oldCall = b.execute(() => old.promise).catch(() => {});
    await rejectionOf(b.execute(failing()));
    await s.advance(1_000);
    await b.execute(succeeding(1));
    old.reject(new Error("from the previous closed period"));
    await oldCall;
    expect(b.state).toBe("closed");
  });
});

describe("events", () => {
  test("state changes are reported in order, once each", async () => {
    const s = new ManualScheduler();
    const b = new CircuitBreaker({ name: "p", clock: s, failureThreshold: 1, breakDuration: 10 });
    const changes: string[] = [];
    const off = b.onStateChange((c: StateChange) => changes.push(`${c.from}>${c.to}`));
    await rejectionOf(b.execute(failing()));
    await rejectionOf(b.execute(failing()));
    await s.advance(10);
    await b.execute(succeeding(1));
    off();
    await rejectionOf(b.execute(failing()));
    expect(changes).toEqual(["closed>open", "open>half-open", "half-open>closed"]);
  });
});
