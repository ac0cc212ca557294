import { describe, expect, test } from "bun:test";
import {
  BrokenCircuitError,
  constantBackoff,
  IsolatedCircuitError,
  ManualScheduler,
  RetryBudget,
  type RetryEvent,
  retry,
} from "../../src/resilience/index.ts";
import { countingController, rejectionOf } from "./support/deferred.ts";

const flaky = (failures: number, value = "ok") => {
  let calls = 0;
  const work = async () => {
    calls++;
    if (calls <= failures) throw new Error(`fail ${calls}`);
    return value;
  };
  return { work, calls: () => calls };
};

describe("retry", () => {
  test("maxAttempts counts the first attempt: 3 means 3 calls, then the last error", async () => {
    const s = new ManualScheduler();
    const { work, calls } = flaky(10);
    const p = rejectionOf(
      retry({ maxAttempts: 3, backoff: constantBackoff(10), scheduler: s }).execute(work),
    );
    await s.advance(100);
    expect(((await p) as Error).message).toBe("fail 3");
    expect(calls()).toBe(3);
  });

  test("deadlineMs: no sleep that would end at or past it; the failure with its wait is the answer", async () => {
    const s = new ManualScheduler();
    let calls = 0;
    const work = async () => {
      calls++;
      throw Object.assign(new Error(`429 #${calls}`), { retryAfterMs: 1_000 });
    };
    const policy = retry({ maxAttempts: 5, deadlineMs: 2_500, scheduler: s, clock: s });
    const p = rejectionOf(policy.execute(work));
    await s.advance(1_000); // t=1000: the 2nd call; 1000 + 1000 < 2500, so a 3rd at t=2000
    await s.advance(1_000);
    await s.flush();
    // At t=2000 a further 1 s sleep would end at 3000 ≥ 2500: the 3rd failure is returned now.
    const error = (await p) as Error & { retryAfterMs: number };
    expect(error.message).toBe("429 #3");
    expect(error.retryAfterMs).toBe(1_000);
    expect(s.now() - 1_700_000_000_000).toBe(2_000);
    expect(s.pending).toBe(0);
  });

  test("deadlineMs bounds backoff sleeps too", async () => {
    const s = new ManualScheduler();
    const { work, calls } = flaky(10);
    const p = rejectionOf(
      retry({
        maxAttempts: 10,
        backoff: constantBackoff(400),
        deadlineMs: 1_000,
        scheduler: s,
        clock: s,
      }).execute(work),
    );
    await s.advance(2_000);
    expect(((await p) as Error).message).toBe("fail 3"); // at 0, 400, 800; 800 + 400 ≥ 1000
    expect(calls()).toBe(3);
  });

  test("sleeps the backoff between attempts and only then retries", async () => {
    const s = new ManualScheduler();
    const events: RetryEvent[] = [];
    const { work, calls } = flaky(2);
    const p = retry({
      backoff: constantBackoff(100),
      scheduler: s,
      onRetry: (e) => events.push(e),
    }).execute(work);
    await s.flush();
    expect(calls()).toBe(1);
    await s.advance(99);
    expect(calls()).toBe(1);
    await s.advance(1);
    expect(calls()).toBe(2);
    await s.advance(100);
    expect(await p).toBe("ok");
    expect(events.map((e) => [e.attempt, e.delayMs])).toEqual([
      [1, 100],
      [2, 100],
    ]);
    expect(s.pending).toBe(0);
  });

  test("a delay from the outcome wins over the backoff (Retry-After, breaker retry-after)", async () => {
    const s = new ManualScheduler();
    const delays: number[] = [];
    let calls = 0;
    const work = async () => {
      calls++;
      if (calls === 1) throw Object.assign(new Error("429"), { status: 429, retryAfterMs: 700 });
      if (calls === 2) throw new BrokenCircuitError(300);
      if (calls === 3) throw Object.assign(new Error("503"), { retryAfter: "2" });
      return "done";
    };
    const policy = retry({
      maxAttempts: 5,
      backoff: constantBackoff(5),
      scheduler: s,
      delayFromError: (e) => {
        const header = (e as { retryAfter?: string }).retryAfter;
        return header === undefined ? undefined : Number(header) * 1000;
      },
      onRetry: (e) => delays.push(e.delayMs),
    });
    const p = policy.execute(work);
    await s.advance(10_000);
    expect(await p).toBe("done");
    expect(delays).toEqual([700, 300, 2000]);
  });

  test("an outcome asking for more than maxDelayMs ends the retries at once", async () => {
    const s = new ManualScheduler();
    let calls = 0;
    const err = new BrokenCircuitError(60_000);
    const p = retry({ maxDelayMs: 5_000, scheduler: s }).execute(async () => {
      calls++;
      throw err;
    });
    expect(await rejectionOf(p)).toBe(err);
    expect(calls).toBe(1);
  });

  test("the caller's abort ends a backoff sleep at once, with the caller's reason", async () => {
    const s = new ManualScheduler();
    const { controller, live } = countingController();
    const { work, calls } = flaky(10);
    const p = rejectionOf(
      retry({ maxAttempts: 5, backoff: constantBackoff(10_000), scheduler: s }).execute(
        work,
        controller.signal,
      ),
    );
    await s.flush();
    expect(s.pending).toBe(1);
    const reason = new Error("user went away");
    controller.abort(reason);
    expect(await p).toBe(reason);
    expect(calls()).toBe(1);
    expect(s.pending).toBe(0);
    expect(live()).toBe(0);
  });

  test("an abort during an attempt is not retried and surfaces as the abort", async () => {
    const s = new ManualScheduler();
    const controller = new AbortController();
    let calls = 0;
    const p = rejectionOf(
      retry({ scheduler: s }).execute(async (signal) => {
        calls++;
        controller.abort();
        throw new Error(`network error, aborted=${signal.aborted}`);
      }, controller.signal),
    );
    const error = await p;
    expect((error as DOMException).name).toBe("AbortError");
    expect(calls).toBe(1);
  });

  test("an already aborted signal runs nothing", async () => {
    const controller = new AbortController();
    controller.abort("stop");
    let calls = 0;
    expect(await rejectionOf(retry().execute(async () => calls++, controller.signal))).toBe("stop");
    expect(calls).toBe(0);
  });

  test("predicates: shouldRetry false and isolated circuits are not retried", async () => {
    const s = new ManualScheduler();
    let calls = 0;
    const p = retry({ scheduler: s, shouldRetry: (e) => (e as Error).message !== "fatal" }).execute(
      async () => {
        calls++;
        throw new Error("fatal");
      },
    );
    expect(((await rejectionOf(p)) as Error).message).toBe("fatal");
    let isolatedCalls = 0;
    await rejectionOf(
      retry({ scheduler: s }).execute(async () => {
        isolatedCalls++;
        throw new IsolatedCircuitError();
      }),
    );
    expect([calls, isolatedCalls]).toEqual([1, 1]);
  });

  test("results can be retried; the last one is returned when attempts run out", async () => {
    const s = new ManualScheduler();
    let calls = 0;
    const p = retry({
      maxAttempts: 3,
      backoff: constantBackoff(1),
      scheduler: s,
      shouldRetryResult: (r) => (r as { status: number }).status === 503,
    }).execute(async () => ({ status: 503, n: ++calls }));
    await s.advance(10);
    expect(await p).toEqual({ status: 503, n: 3 });
  });

  test("a retry budget stops retries once they exceed the ratio of recent calls", async () => {
    const s = new ManualScheduler();
    const budget = new RetryBudget({ ratio: 0.5, minRetries: 0, windowMs: 10_000, clock: s });
    const policy = retry({ maxAttempts: 2, backoff: constantBackoff(0), budget, scheduler: s });
    let calls = 0;
    const fail = async () => {
      calls++;
      throw new Error("down");
    };
    // 1st call deposits 0.5: no whole retry. 2nd call: 1.0 → one retry.
    await rejectionOf(policy.execute(fail));
    expect(calls).toBe(1);
    await rejectionOf(policy.execute(fail));
    expect(calls).toBe(3);
    await rejectionOf(policy.execute(fail));
    expect(calls).toBe(4);
    expect(budget.snapshot()).toEqual({ calls: 3, retries: 1 });
    await s.advance(10_001);
    expect(budget.snapshot()).toEqual({ calls: 0, retries: 0 });
  });

  test("no abort listener accumulates on the caller's signal across retries", async () => {
    const s = new ManualScheduler();
    const { controller, live } = countingController();
    const { work } = flaky(49);
    const p = retry({ maxAttempts: 50, backoff: constantBackoff(10), scheduler: s }).execute(
      work,
      controller.signal,
    );
    for (let i = 0; i < 49; i++) {
      await s.advance(10);
      expect(live()).toBeLessThanOrEqual(1);
    }
    expect(await p).toBe("ok");
    expect(live()).toBe(0);
  });

  test("with unbounded attempts and default jitter, delays stay finite deep into the sequence", async () => {
    const s = new ManualScheduler();
    const delays: number[] = [];
    let calls = 0;
    const p = retry({
      maxAttempts: Number.POSITIVE_INFINITY,
      maxDelayMs: 1_000,
      scheduler: s,
      onRetry: (e) => delays.push(e.delayMs),
    }).execute(async () => {
      if (++calls > 1_100) return "done";
      throw new Error("again");
    });
    while (calls <= 1_100) await s.advance(1_000);
    expect(await p).toBe("done");
    expect(delays.every((d) => Number.isFinite(d) && d >= 0 && d <= 1_000)).toBe(true);
  });
});
