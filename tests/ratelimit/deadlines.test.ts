/**
 * The shared deadline queue, driven by an injected clock: a reply after its
 * sweep never resolves (so it can never admit), a reply read before it does
 * (a blocked loop is not a Redis outage), one sweep expires everything due and
 * nothing else, and `since` starts a deadline earlier.
 */
import { describe, expect, test } from "bun:test";
import { withinMs } from "../../src/clock/index.ts";
import { DeadlineQueue } from "../../src/ratelimit/deadlines.ts";

class Expired extends Error {}

/** A command whose reply the test delivers by hand. */
function command<T>(): { promise: Promise<T>; reply: (v: T) => void; fail: (e: Error) => void } {
  const { promise, resolve, reject } = Promise.withResolvers<T>();
  return { promise, reply: resolve, fail: reject };
}

/** Lets replies delivered so far reach the queue (they settle in microtasks). */
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** The outcome of `p` once settled: "ok:<value>", "expired" or "error". */
const outcome = (p: Promise<unknown>) =>
  p.then(
    (v) => `ok:${String(v)}`,
    (e: unknown) => (e instanceof Expired ? "expired" : "error"),
  );

describe("DeadlineQueue", () => {
  test("a reply before the deadline resolves; one after it is dropped", async () => {
    let now = 1_000;
    const queue = new DeadlineQueue(
      100,
      () => new Expired(),
      () => now,
    );
    const early = command<string>();
    const late = command<string>();
    const trackedEarly = outcome(queue.track(early.promise));
    const trackedLate = outcome(queue.track(late.promise));
    early.reply("allowed");
    await tick();
    now = 1_100; // exactly at the deadline: due
    queue.sweep();
    late.reply("allowed"); // arrives after the sweep refused it
    expect(await trackedEarly).toBe("ok:allowed");
    expect(await trackedLate).toBe("expired");
    expect(queue.size).toBe(0);
  });

  test("a reply read before its sweep is honoured, even past the deadline (our loop was blocked)", async () => {
    let now = 1_000;
    const queue = new DeadlineQueue(
      100,
      () => new Expired(),
      () => now,
    );
    const stalled = command<string>();
    const trackedStalled = outcome(queue.track(stalled.promise));
    now = 1_101; // the event loop was busy past the deadline; the timer has not fired yet
    stalled.reply("allowed"); // Redis ran it in time: a real decision, already charged
    expect(await trackedStalled).toBe("ok:allowed");
  });

  test("a timer that fires late waits for replies read meanwhile, then sweeps by itself", async () => {
    let now = 1_000;
    const queue = new DeadlineQueue(
      20,
      () => new Expired(),
      () => now,
      100, // a wide grace, so the test does not race it
    );
    const first = command<string>();
    const second = command<string>();
    const trackedFirst = outcome(queue.track(first.promise));
    const trackedSecond = outcome(queue.track(second.promise));
    now = 2_000; // a blocked loop: when the 20 ms timer fires, it is ~980 ms late
    await Bun.sleep(60); // the timer has fired and deferred its sweep
    expect(queue.size).toBe(2);
    first.reply("allowed"); // read during the grace: it stands
    // No manual sweep: the deferred one runs on its own and expires what is still unanswered.
    expect(await trackedFirst).toBe("ok:allowed");
    expect(await trackedSecond).toBe("expired");
    expect(queue.size).toBe(0);
    // And the queue keeps working: a command tracked afterwards still gets its deadline.
    const third = command<string>();
    const trackedThird = outcome(queue.track(third.promise));
    now = 2_100;
    expect(await trackedThird).toBe("expired");
  });

  test("a timer that fires on time sweeps at once", async () => {
    const queue = new DeadlineQueue(
      20,
      () => new Expired(),
      performance.now.bind(performance),
      5_000,
    );
    const never = command<string>();
    const started = performance.now();
    expect(await outcome(queue.track(never.promise))).toBe("expired");
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  test("one sweep expires every due command, in order, and keeps the rest", async () => {
    let now = 0;
    const queue = new DeadlineQueue(
      100,
      () => new Expired(),
      () => now,
    );
    const results: Array<Promise<string>> = [];
    const commands = Array.from({ length: 6 }, (_, i) => {
      now = i * 10; // sent at 0, 10, …, 50: due at 100, 110, …, 150
      const c = command<number>();
      results.push(outcome(queue.track(c.promise)));
      return c;
    });
    commands[1]?.reply(1);
    await tick();
    now = 125;
    queue.sweep();
    for (const c of commands) c.reply(9);
    expect(await Promise.all(results)).toEqual([
      "expired",
      "ok:1",
      "expired",
      "ok:9",
      "ok:9",
      "ok:9",
    ]);
  });

  test("`since` starts the deadline when the decision was asked for, not when it was sent", async () => {
    let now = 500;
    const queue = new DeadlineQueue(
      100,
      () => new Expired(),
      () => now,
    );
    const c = command<string>();
    const tracked = outcome(queue.track(c.promise, 420)); // queued 80 ms before sending
    now = 520;
    queue.sweep();
    c.reply("late");
    expect(await tracked).toBe("expired");
  });

  test("an error reply passes through; rejectAll fails what is pending", async () => {
    const queue = new DeadlineQueue(
      100,
      () => new Expired(),
      () => 0,
    );
    const failing = command<string>();
    const pending = command<string>();
    const a = outcome(queue.track(failing.promise));
    const b = queue.track(pending.promise);
    failing.fail(new Error("server said no"));
    queue.rejectAll(new Error("closed"));
    pending.reply("too late");
    expect(await a).toBe("error");
    await expect(b).rejects.toThrow("closed");
  });

  test("the real timer fires on its own", async () => {
    const queue = new DeadlineQueue(20, () => new Expired());
    const never = command<string>();
    const started = performance.now();
    expect(await outcome(queue.track(never.promise))).toBe("expired");
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);
  });
});

describe("withinMs", () => {
  test("resolves in time, rejects after, and ignores the late reply", async () => {
    expect(await withinMs(Promise.resolve(7), 50, () => new Expired())).toBe(7);
    const slow = command<number>();
    const bounded = outcome(withinMs(slow.promise, 5, () => new Expired()));
    await Bun.sleep(15);
    slow.reply(1);
    expect(await bounded).toBe("expired");
  });
});
