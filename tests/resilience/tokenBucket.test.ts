import { describe, expect, test } from "bun:test";
import {
  isTokenBucketRejectedError,
  ManualScheduler,
  type TokenBucketRejectedError,
  tokenBucket,
} from "../../src/resilience/index.ts";
import { rejectionOf } from "./support/deferred.ts";

const ok = async () => "ok";

describe("token bucket", () => {
  test("a full bucket allows the burst, then rejects with the time until the next token", async () => {
    const s = new ManualScheduler();
    const bucket = tokenBucket({ rate: 2, burst: 3, clock: s, scheduler: s });
    for (let i = 0; i < 3; i++) expect(await bucket.execute(ok)).toBe("ok");
    const error = await rejectionOf(bucket.execute(ok));
    expect(isTokenBucketRejectedError(error)).toBe(true);
    expect((error as TokenBucketRejectedError).retryAfterMs).toBe(500);
    await s.advance(250);
    expect(((await rejectionOf(bucket.execute(ok))) as TokenBucketRejectedError).retryAfterMs).toBe(
      250,
    );
    await s.advance(250);
    expect(await bucket.execute(ok)).toBe("ok");
  });

  test("refill never exceeds the burst", async () => {
    const s = new ManualScheduler();
    const bucket = tokenBucket({ rate: 200, intervalMs: 60_000, burst: 5, clock: s, scheduler: s });
    await s.advance(3_600_000);
    expect(bucket.available).toBe(5);
  });

  test("waits up to maxWaitMs for a token, in arrival order", async () => {
    const s = new ManualScheduler();
    const bucket = tokenBucket({ rate: 10, burst: 1, maxWaitMs: 250, clock: s, scheduler: s });
    const order: string[] = [];
    await bucket.execute(ok);
    const a = bucket.execute(async () => order.push("a"));
    const b = bucket.execute(async () => order.push("b"));
    const tooLate = rejectionOf(bucket.execute(ok));
    expect(((await tooLate) as TokenBucketRejectedError).retryAfterMs).toBe(300);
    await s.advance(100);
    expect(order).toEqual(["a"]);
    await s.advance(100);
    await Promise.all([a, b]);
    expect(order).toEqual(["a", "b"]);
  });

  test("a waiter that aborts gives its token back", async () => {
    const s = new ManualScheduler();
    const bucket = tokenBucket({ rate: 10, burst: 1, maxWaitMs: 1_000, clock: s, scheduler: s });
    await bucket.execute(ok);
    const controller = new AbortController();
    const waiting = rejectionOf(bucket.execute(ok, controller.signal));
    controller.abort("gone");
    expect(await waiting).toBe("gone");
    expect(s.pending).toBe(0);
    await s.advance(100);
    expect(await bucket.execute(ok)).toBe("ok");
  });

  test("a rate below one per interval gets a burst of one by default", async () => {
    const s = new ManualScheduler();
    const bucket = tokenBucket({ rate: 0.5, clock: s, scheduler: s }); // one every 2 s
    expect(await bucket.execute(ok)).toBe("ok");
    const error = await rejectionOf(bucket.execute(ok));
    expect((error as TokenBucketRejectedError).retryAfterMs).toBe(2_000);
  });

  test("rejects nonsense rates", () => {
    expect(() => tokenBucket({ rate: 0 })).toThrow(RangeError);
    expect(() => tokenBucket({ rate: 1, burst: 0.5 })).toThrow(RangeError);
  });
});
