/**
 * When the batcher sends, with a runner that records each call and answers
 * when the test says so (the Redis side is covered in decisionBatch.test.ts).
 */
import { describe, expect, test } from "bun:test";
import {
  DecisionBatcher,
  LATE_GRACE_MS,
  MAX_BATCH_DECISIONS,
} from "../../src/ratelimit/decisionBatch.ts";
import { isStoreUnavailableError } from "../../src/ratelimit/errors.ts";
import { gcraParams } from "../../src/ratelimit/gcra.ts";
import { replyProblem } from "../../src/ratelimit/scriptReply.ts";

interface Call {
  keys: string[];
  args: string[];
  since: number;
  answer: () => void;
}

/** A runner whose calls admit everything once answered. */
function recordingRunner(): {
  calls: Call[];
  run: ConstructorParameters<typeof DecisionBatcher>[0];
} {
  const calls: Call[] = [];
  return {
    calls,
    run: (keys, args, decisions, since) =>
      new Promise((resolve) => {
        const reply: number[] = [0, 0]; // Redis's instant (unused here), not late
        for (let i = 0; i < decisions; i++) reply.push(1, 0);
        calls.push({ keys, args, since, answer: () => resolve(reply) });
      }),
  };
}

const request = (key: string) => ({
  keys: [key],
  params: [gcraParams({ name: "ip", key, limit: 10, windowMs: 1_000 })],
  peek: false,
});
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("DecisionBatcher", () => {
  test("idle: a lone decision leaves in the same turn, alone", async () => {
    const { calls, run } = recordingRunner();
    const batcher = new DecisionBatcher(run);
    const decided = batcher.decide(request("a"), "");
    await Promise.resolve(); // a few microtasks, no macrotask
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.keys).toEqual(["a"]);
    // "" = Redis TIME; no late instant (no deadline given); one decision of 1 limit, not a
    // peek; then its tolerance and increment.
    expect(calls[0]?.args).toEqual(["", "", "1", "0", "1000000", "100000"]);
    calls[0]?.answer();
    expect((await decided).allowed).toBe(true);
  });

  test("a burst with nothing in flight goes as two calls; later ones wait for a reply", async () => {
    const { calls, run } = recordingRunner();
    const batcher = new DecisionBatcher(run);
    const first = Array.from({ length: 20 }, (_, i) => batcher.decide(request(`{rl}:k${i}`), ""));
    await turn();
    expect(calls.map((c) => c.keys.length)).toEqual([10, 10]);
    const later = Array.from({ length: 5 }, (_, i) => batcher.decide(request(`{rl}:l${i}`), ""));
    await turn();
    expect(calls).toHaveLength(2); // two in flight: the five queue
    calls[0]?.answer();
    await turn();
    expect(calls.map((c) => c.keys.length)).toEqual([10, 10, 5]);
    for (const c of calls) c.answer();
    expect((await Promise.all([...first, ...later])).every((e) => e.allowed)).toBe(true);
  });

  test("a queued decision's deadline starts when it was asked for", async () => {
    const { calls, run } = recordingRunner();
    const batcher = new DecisionBatcher(run);
    batcher.decide(request("{rl}:a"), "");
    batcher.decide(request("{rl}:b"), "");
    await turn();
    batcher.decide(request("{rl}:c"), "");
    await turn();
    expect(calls).toHaveLength(2);
    const askedBefore = performance.now();
    batcher.decide(request("{rl}:d"), "");
    await Bun.sleep(20);
    calls[0]?.answer();
    await turn();
    expect(calls[2]?.keys).toEqual(["{rl}:d"]);
    expect(calls[2]?.since).toBeLessThanOrEqual(askedBefore + 1);
    expect(performance.now() - (calls[2]?.since ?? 0)).toBeGreaterThanOrEqual(19);
  });

  test("a full batch leaves at once; two instants never share a call", async () => {
    const { calls, run } = recordingRunner();
    const batcher = new DecisionBatcher(run);
    for (let i = 0; i < MAX_BATCH_DECISIONS; i++) batcher.decide(request(`{rl}:f${i}`), "");
    // Synchronously, before any microtask (as two calls: nothing was in flight).
    expect(calls.reduce((n, c) => n + c.keys.length, 0)).toBe(MAX_BATCH_DECISIONS);
    const sent = calls.length;
    batcher.decide(request("t1"), "1000");
    batcher.decide(request("t2"), "2000");
    expect(calls.slice(sent).map((c) => c.args[0])).toEqual(["1000"]);
    expect(calls.at(-1)?.keys).toEqual(["t1"]);
  });

  test("a call never mixes hash slots: other tags go in calls of their own", async () => {
    const { calls, run } = recordingRunner();
    const batcher = new DecisionBatcher(run);
    const keys = ["{rl}:a", "{x}:b", "{rl}:c", "plain", "{x}:d", "{rl}:e"];
    for (const key of keys) batcher.decide(request(key), "");
    await turn();
    const tags = calls.map((c) => [...new Set(c.keys.map((k) => /\{([^}]*)\}/.exec(k)?.[1] ?? k))]);
    expect(tags).toEqual([["rl"], ["x"], ["plain"]]);
    expect(calls[0]?.keys).toEqual(["{rl}:a", "{rl}:c", "{rl}:e"]);
    expect(calls[1]?.keys).toEqual(["{x}:b", "{x}:d"]);
  });
});

describe("late calls (a reply from a server that stalled past the deadline)", () => {
  /**
   * A runner answering each call with Redis's clock `ahead.ms` ahead of ours (changeable
   * between calls), after `ahead.delayMs` (a slow round trip).
   */
  function clockRunner(aheadMs: number, late = 0) {
    const ahead = { ms: aheadMs, delayMs: 0 };
    const calls: Array<{ args: string[]; since: number }> = [];
    const run: ConstructorParameters<typeof DecisionBatcher>[0] = async (_k, args, n, since) => {
      calls.push({ args, since });
      const redisNowUs = Math.round((performance.timeOrigin + performance.now() + ahead.ms) * 1000);
      if (ahead.delayMs > 0) await Bun.sleep(ahead.delayMs);
      const reply: number[] = [redisNowUs, late];
      for (let i = 0; i < n; i++) reply.push(1, 0);
      return reply;
    };
    return { calls, run, ahead };
  }

  /** The late instant of a call minus the one the true offset gives, in ms. */
  const lateError = (call: { args: string[]; since: number }, aheadMs: number) =>
    Number(call.args[1]) / 1000 -
    (performance.timeOrigin + call.since + 100 + LATE_GRACE_MS + aheadMs);

  test("the first call has no late instant; later ones carry deadline + grace on Redis's clock", async () => {
    const { calls, run } = clockRunner(5_000);
    const batcher = new DecisionBatcher(run, 100);
    await batcher.decide(request("a"), "");
    expect(calls[0]?.args[1]).toBe("");
    await batcher.decide(request("b"), "");
    const call = calls[1] as { args: string[]; since: number };
    const expectedUs = (performance.timeOrigin + call.since + 100 + LATE_GRACE_MS + 5_000) * 1000;
    // The offset is a lower bound (read after the reply): never later than meant, at most ms early.
    expect(Number(call.args[1])).toBeLessThanOrEqual(expectedUs + 1);
    expect(Number(call.args[1])).toBeGreaterThan(expectedUs - 5_000);
  });

  test("only prompt replies teach the offset; a clock step either way is followed", async () => {
    const { calls, run, ahead } = clockRunner(5_000);
    const batcher = new DecisionBatcher(run, 100);
    await batcher.decide(request("a"), "");
    // A reply read 30 ms after sending (stalled server, blocked loop): ignored, not learnt.
    ahead.delayMs = 30;
    ahead.ms = 3_000;
    await batcher.decide(request("b"), "");
    ahead.delayMs = 0;
    ahead.ms = 5_000;
    await batcher.decide(request("c"), "");
    expect(Math.abs(lateError(calls[2] as (typeof calls)[number], 5_000))).toBeLessThan(
      LATE_GRACE_MS,
    );
    // Redis's clock steps back 900 ms, then forward 2 s: each is learnt from the next reply.
    for (const step of [4_100, 6_100]) {
      ahead.ms = step;
      await batcher.decide(request("d"), "");
      await batcher.decide(request("e"), "");
      const error = lateError(calls.at(-1) as (typeof calls)[number], step);
      expect(error).toBeLessThanOrEqual(0.01);
      expect(error).toBeGreaterThan(-LATE_GRACE_MS);
    }
  });

  test("test instants (not Redis TIME) never carry a late instant", async () => {
    const { calls, run } = clockRunner(0);
    const batcher = new DecisionBatcher(run, 100);
    await batcher.decide(request("a"), "1000");
    await batcher.decide(request("b"), "2000");
    expect(calls.map((c) => c.args[1])).toEqual(["", ""]);
  });

  test("a reply marked late admits nothing: every decision in it fails closed", async () => {
    const { run } = clockRunner(0, 1);
    const batcher = new DecisionBatcher(run, 100);
    const error = await batcher.decide(request("a"), "").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isStoreUnavailableError(error) && error.reason).toBe("timeout");
  });
});

describe("replies of the wrong type (a broken Redis-compatible server, a tampered link)", () => {
  test.each([
    ["RESP3 booleans", [0, false, true, 0]],
    ["a null late flag", [0, null, 1, 0]],
    ["numeric strings", ["1700000000000000", "0", "1", "0"]],
    ["a padded allowed", [0, 0, "1 ", 0]],
    ["a fractional wait", [0, 0, 1, 0.5]],
    ["a late flag of 2", [0, 2, 1, 0]],
    ["allowed of 2", [0, 0, 2, 0]],
  ])("%s: refused as a script error, never admitted", async (_name, reply) => {
    const batcher = new DecisionBatcher(async () => reply, 100);
    const error = await batcher.decide(request("a"), "").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isStoreUnavailableError(error) && error.reason).toBe("script_error");
  });
});

test("replyProblem: what the store checks before it counts a reply as Redis answering", () => {
  expect(replyProblem([1_700_000_000_000_000, 0, 1, 0])).toBeUndefined();
  expect(replyProblem([1_700_000_000_000_000, 1])).toBe("timeout");
  for (const bad of [[0, true], [0, null], ["0", 0], [0], "OK", null, [0, 2], [0, 0, -1]]) {
    expect(replyProblem(bad)).toBe("script_error");
  }
});
