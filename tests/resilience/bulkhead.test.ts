import { describe, expect, test } from "bun:test";
import {
  type BulkheadRejectedError,
  bulkhead,
  isBulkheadRejectedError,
  ManualScheduler,
} from "../../src/resilience/index.ts";
import { countingController, deferred, rejectionOf } from "./support/deferred.ts";

describe("bulkhead", () => {
  test("runs at most maxConcurrent, queues FIFO, rejects when the queue is full", async () => {
    const s = new ManualScheduler();
    const b = bulkhead({ maxConcurrent: 2, maxQueue: 2, scheduler: s });
    const gates = [0, 1, 2, 3].map(() => deferred<void>());
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      b.execute(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await s.flush();
    expect(started).toEqual([0, 1]);
    expect([b.active, b.queued]).toEqual([2, 2]);
    const rejected = await rejectionOf(b.execute(async () => 9));
    expect(isBulkheadRejectedError(rejected)).toBe(true);
    expect((rejected as BulkheadRejectedError).reason).toBe("full");
    gates[1]?.resolve();
    await s.flush();
    expect(started).toEqual([0, 1, 2]);
    // A newcomer cannot overtake the queue: the freed slot went to #2 directly.
    gates[0]?.resolve();
    await s.flush();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const gate of gates) gate.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect([b.active, b.queued]).toEqual([0, 0]);
  });

  test("a queued caller that aborts leaves the queue at once, with its reason", async () => {
    const s = new ManualScheduler();
    const b = bulkhead({ maxConcurrent: 1, maxQueue: 5, scheduler: s });
    const gate = deferred<void>();
    const first = b.execute(() => gate.promise);
    const { controller, live } = countingController();
    const aborted = rejectionOf(b.execute(async () => "never", controller.signal));
    const third = b.execute(async () => "third");
    await s.flush();
    expect(b.queued).toBe(2);
    controller.abort("bye");
    expect(await aborted).toBe("bye");
    expect(b.queued).toBe(1);
    expect(live()).toBe(0);
    gate.resolve();
    await first;
    expect(await third).toBe("third");
  });

  test("queue wait timeout rejects with reason queue_timeout and frees the place", async () => {
    const s = new ManualScheduler();
    const b = bulkhead({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 50, scheduler: s });
    const gate = deferred<void>();
    const first = b.execute(() => gate.promise);
    const waiting = rejectionOf(b.execute(async () => 1));
    await s.advance(50);
    expect(((await waiting) as BulkheadRejectedError).reason).toBe("queue_timeout");
    expect(b.queued).toBe(0);
    gate.resolve();
    await first;
    expect(s.pending).toBe(0);
  });

  test("a slot is released when the work throws", async () => {
    const b = bulkhead({ maxConcurrent: 1 });
    await rejectionOf(b.execute(async () => Promise.reject(new Error("x"))));
    expect(await b.execute(async () => "again")).toBe("again");
  });

  test("rejects nonsense limits", () => {
    expect(() => bulkhead({ maxConcurrent: 0 })).toThrow(RangeError);
  });
});
