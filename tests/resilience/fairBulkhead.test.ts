import { describe, expect, test } from "bun:test";
import {
  type BulkheadRejectedError,
  fairBulkhead,
  isBulkheadRejectedError,
  ManualScheduler,
} from "../../src/resilience/index.ts";
import { countingController, deferred, rejectionOf } from "./support/deferred.ts";

/** A bulkhead with one slot held by a gate, and a log of who ran, in order. */
function heldOpen(opts: { maxQueue: number; maxQueuePerKey?: number; queueTimeoutMs?: number }) {
  const scheduler = new ManualScheduler();
  const b = fairBulkhead({ maxConcurrent: 1, scheduler, ...opts });
  const gate = deferred<void>();
  const first = b.execute("first", () => gate.promise);
  const ran: string[] = [];
  const ask = (key: string, label = key, signal?: AbortSignal) =>
    b.execute(
      key,
      async () => {
        ran.push(label);
        return label;
      },
      signal,
    );
  return { b, scheduler, gate, first, ran, ask };
}

describe("fair bulkhead", () => {
  test("a freed slot goes to the keys in turn: one key's burst does not go first", async () => {
    const { b, gate, first, ran, ask } = heldOpen({ maxQueue: 10 });
    const burst = ["a1", "a2", "a3", "a4"].map((label) => ask("a", label));
    const others = [ask("b", "b1"), ask("c", "c1"), ask("b", "b2")];
    expect(b.queued).toBe(7);
    gate.resolve();
    await first;
    await Promise.all([...burst, ...others]);
    // Round-robin by first arrival of each key; each key keeps its own order.
    expect(ran).toEqual(["a1", "b1", "c1", "a2", "b2", "a3", "a4"]);
    expect([b.active, b.queued]).toEqual([0, 0]);
  });

  test("one key past its own cap is refused while other keys still queue", async () => {
    const { b, gate, first, ask } = heldOpen({ maxQueue: 4, maxQueuePerKey: 2 });
    const a = [ask("a", "a1"), rejectionOf(ask("a", "a2"))];
    const refused = await rejectionOf(ask("a"));
    expect(isBulkheadRejectedError(refused)).toBe(true);
    expect((refused as BulkheadRejectedError).reason).toBe("full");
    const others = [ask("b"), ask("c")];
    expect(b.queued).toBe(4);
    // Full: "d" takes the place of the longest queue's newest waiter (a2)...
    const d = ask("d");
    expect(((await a[1]) as BulkheadRejectedError).reason).toBe("full");
    // ...and with every queue as short as its own would be, "e" is refused.
    expect(((await rejectionOf(ask("e"))) as BulkheadRejectedError).reason).toBe("full");
    gate.resolve();
    await first;
    expect(await Promise.all([a[0], ...others, d])).toEqual(["a1", "b", "c", "d"]);
  });

  test("two heavy keys at their caps cannot keep a third out of a full queue", async () => {
    const { b, gate, first, ran, ask } = heldOpen({ maxQueue: 6, maxQueuePerKey: 3 });
    const heavy = ["a1", "a2", "a3", "b1", "b2", "b3"].map((label) =>
      ask(label.slice(0, 1), label).catch((error: unknown) => (error as Error).name),
    );
    expect(b.queued).toBe(6);
    const light = ask("c", "c1");
    // a3 gave its place up (the first longest queue), then b3 for the second light caller.
    const lighter = ask("d", "d1");
    expect(b.queued).toBe(6);
    gate.resolve();
    await first;
    await Promise.all([light, lighter]);
    expect(await Promise.all(heavy)).toEqual([
      "a1",
      "a2",
      "BulkheadRejectedError",
      "b1",
      "b2",
      "BulkheadRejectedError",
    ]);
    expect(ran).toEqual(["a1", "b1", "c1", "d1", "a2", "b2"]);
  });

  test("a caller that aborts after being handed the slot passes it to the next key", async () => {
    const { gate, first, ran, ask } = heldOpen({ maxQueue: 5 });
    const { controller } = countingController();
    const aborted = rejectionOf(ask("a", "a1", controller.signal));
    const next = ask("b", "b1");
    // Runs after the slot went to "a" (first's release), before "a" resumes: abort after grant.
    void gate.promise.then(() => controller.abort("late"));
    gate.resolve();
    await first;
    expect(await aborted).toBe("late");
    expect(await next).toBe("b1");
    expect(ran).toEqual(["b1"]);
  });

  test("a waiter that aborts or times out leaves its key's queue; the turn skips an emptied key", async () => {
    const { b, scheduler, gate, first, ran, ask } = heldOpen({ maxQueue: 5, queueTimeoutMs: 50 });
    const { controller, live } = countingController();
    const aborted = rejectionOf(ask("a", "a1", controller.signal));
    const b1 = rejectionOf(ask("b", "b1"));
    controller.abort("gone");
    expect(await aborted).toBe("gone");
    expect(live()).toBe(0);
    expect(b.queued).toBe(1);
    await scheduler.advance(50);
    expect(((await b1) as BulkheadRejectedError).reason).toBe("queue_timeout");
    expect(b.queued).toBe(0);
    const c1 = ask("c", "c1");
    gate.resolve();
    await first;
    expect(await c1).toBe("c1");
    expect(ran).toEqual(["c1"]);
    expect(scheduler.pending).toBe(0);
  });

  test("a slot is released when the work throws, and nonsense limits are refused", async () => {
    const b = fairBulkhead({ maxConcurrent: 1, maxQueue: 0 });
    await rejectionOf(b.execute("a", async () => Promise.reject(new Error("x"))));
    expect(await b.execute("a", async () => "again")).toBe("again");
    expect(() => fairBulkhead({ maxConcurrent: 0, maxQueue: 1 })).toThrow(RangeError);
    expect(() => fairBulkhead({ maxConcurrent: 1, maxQueue: -1 })).toThrow(RangeError);
  });
});
