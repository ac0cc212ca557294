import { describe, expect, test } from "bun:test";
import {
  BreakerRegistry,
  bulkhead,
  CircuitBreaker,
  constantBackoff,
  fallback,
  isBrokenCircuitError,
  isTimeoutError,
  ManualScheduler,
  type Policy,
  pipeline,
  retry,
  timeout,
  tokenBucket,
  type Work,
  withBulkhead,
  withCircuitBreaker,
  withFallback,
  withRetry,
  withTimeout,
  withTokenBucket,
} from "../../src/resilience/index.ts";
import { deferred, failing, rejectionOf, succeeding } from "./support/deferred.ts";

const tracing = (name: string, log: string[]): Policy => ({
  async execute<T>(work: Work<T>, signal?: AbortSignal): Promise<T> {
    log.push(`>${name}`);
    try {
      return await work(signal ?? new AbortController().signal);
    } finally {
      log.push(`<${name}`);
    }
  },
});

describe("pipeline", () => {
  test("the first policy is the outermost", async () => {
    const log: string[] = [];
    await pipeline(tracing("a", log), tracing("b", log)).execute(async () => log.push("work"));
    expect(log).toEqual([">a", ">b", "work", "<b", "<a"]);
  });

  test("the seed usage: retry around a named consecutive breaker", async () => {
    const registry = new BreakerRegistry();
    const s = new ManualScheduler();
    let calls = 0;
    const callExternalApi = withRetry({
      maxAttempts: 3,
      backoff: constantBackoff(10),
      scheduler: s,
    })(
      withCircuitBreaker("external_api", { failureThreshold: 5, clock: s, registry })(async () => {
        calls++;
        throw new Error("provider down");
      }),
    );
    const first = rejectionOf(callExternalApi());
    await s.advance(100);
    expect(((await first) as Error).message).toBe("provider down");
    const second = rejectionOf(callExternalApi());
    await s.advance(100);
    // 3 + 2 failures open the breaker; the 3rd attempt of the 2nd call is refused,
    // and that refusal is what the caller sees once attempts run out.
    expect(isBrokenCircuitError(await second)).toBe(true);
    expect(calls).toBe(5);
    expect(registry.get("external_api")?.state).toBe("open");
  });

  test("a hung probe is bounded by the attempt timeout inside the breaker and counts as a failure", async () => {
    const s = new ManualScheduler();
    const breaker = new CircuitBreaker({ clock: s, failureThreshold: 1, breakDuration: 1_000 });
    const policy = pipeline(breaker, timeout(200, { scheduler: s }));
    await rejectionOf(policy.execute(failing()));
    await s.advance(1_000);
    const hang = (signal: AbortSignal) =>
      new Promise<never>((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason)),
      );
    const probe = rejectionOf(policy.execute(hang));
    expect(breaker.state).toBe("half-open");
    await s.advance(200);
    expect(isTimeoutError(await probe)).toBe(true);
    expect(breaker.state).toBe("open");
  });

  test("retry waits for the breaker's retry-after instead of hammering it", async () => {
    const s = new ManualScheduler();
    const breaker = new CircuitBreaker({ clock: s, failureThreshold: 1, breakDuration: 500 });
    let calls = 0;
    const policy = pipeline(
      retry({ maxAttempts: 3, backoff: constantBackoff(1), scheduler: s }),
      breaker,
    );
    const p = policy.execute(async () => {
      if (++calls === 1) throw new Error("blip");
      return "ok";
    });
    await s.advance(1);
    expect(calls).toBe(1); // 2nd attempt refused by the open breaker, now waiting 499 ms
    await s.advance(499);
    expect(await p).toBe("ok");
    expect(calls).toBe(2);
  });

  test("the recommended full order runs end to end", async () => {
    const s = new ManualScheduler();
    const policy = pipeline(
      fallback(() => "stale"),
      retry({ maxAttempts: 2, backoff: constantBackoff(5), scheduler: s }),
      new CircuitBreaker({ clock: s }),
      tokenBucket({ rate: 10, clock: s, scheduler: s }),
      bulkhead({ maxConcurrent: 2 }),
      timeout(1_000, { scheduler: s }),
    );
    expect(await policy.execute(succeeding("fresh"))).toBe("fresh");
    const p = policy.execute<unknown>(failing());
    await s.advance(10);
    expect(await p).toBe("stale");
  });
});

test("local rejections inside the breaker (bucket, bulkhead) are not failures of the dependency", async () => {
  const s = new ManualScheduler();
  const breaker = new CircuitBreaker({ clock: s, failureThreshold: 1 });
  const policy = pipeline(
    breaker,
    tokenBucket({ rate: 1, clock: s, scheduler: s }),
    bulkhead({ maxConcurrent: 1 }),
  );
  await policy.execute(succeeding(1));
  await rejectionOf(policy.execute(succeeding(1))); // bucket empty
  const gate = deferred<void>();
  await s.advance(1_000);
  const holding = policy.execute(() => gate.promise);
  await rejectionOf(policy.execute(succeeding(1))); // bucket empty again
  await s.advance(1_000);
  await rejectionOf(policy.execute(succeeding(1))); // bulkhead full
  gate.resolve();
  await holding;
  expect(breaker.state).toBe("closed");
  expect(breaker.snapshot().counts).toMatchObject({ failures: 0, ignored: 3 });
});

describe("decorators", () => {
  test("every with* returns a callable that is itself work", async () => {
    const s = new ManualScheduler();
    const wrapped = withFallback(() => "fallback")(
      withTimeout({ ms: 100, mode: "aggressive", scheduler: s })(
        withBulkhead({ maxConcurrent: 1 })(
          withTokenBucket({ rate: 1, clock: s, scheduler: s })(async (signal) =>
            signal.aborted ? "no" : "yes",
          ),
        ),
      ),
    );
    expect(await wrapped()).toBe("yes");
    expect(await wrapped()).toBe("fallback"); // bucket empty → rejected → fallback
    expect(await withTimeout(50)(succeeding(3))()).toBe(3);
  });

  test("fallback never replaces a caller abort", async () => {
    const controller = new AbortController();
    const wrapped = withFallback(() => "fallback")(async () => {
      controller.abort("stop");
      throw new Error("aborted");
    });
    expect(((await rejectionOf(wrapped(controller.signal))) as Error).message).toBe("aborted");
    const picky = fallback(() => 0, { shouldHandle: (e) => (e as Error).message === "soft" });
    expect(await picky.execute(failing("soft"))).toBe(0);
    expect(((await rejectionOf(picky.execute(failing("hard")))) as Error).message).toBe("hard");
  });
});
