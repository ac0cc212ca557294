/**
 * Simulated bar computation paced to a share of the event loop
 * (src/providers/simulator/computeShare.ts): a burst runs at once, a sustained
 * flood gets the share, a wait past its bound is refused, an abort ends it.
 * Time and slice costs are injected: nothing here sleeps.
 */
import { expect, test } from "bun:test";
import { ManualClock, nextTurn } from "../../src/clock/index.ts";
import { isProviderError, SimulatedProvider } from "../../src/providers/index.ts";
import {
  type ComputeShare,
  createComputeShare,
  isComputeShareExhausted,
} from "../../src/providers/simulator/computeShare.ts";
import { ManualScheduler } from "../../src/resilience/index.ts";

const never = new AbortController().signal;

/** A share on a manual clock whose slices each cost `sliceMs` of measured compute. */
function paced(sliceMs: number, options: { maxWaitMs?: number } = {}) {
  const time = new ManualScheduler(1_000_000);
  let metered = 0;
  const share = createComputeShare({
    clock: time,
    scheduler: time,
    meter: () => metered,
    ...options,
  });
  const slice = () => {
    metered += sliceMs;
    // Only compute is metered: the manual clock stands still during a slice.
    return sliceMs;
  };
  /** Runs one slice to completion, moving the manual clock while it waits; returns the wait. */
  const runOne = async (signal = never): Promise<number> => {
    const before = time.now();
    let settled = false;
    const done = share.run(slice, signal).finally(() => {
      settled = true;
    });
    for (let i = 0; i < 10_000; i++) {
      await time.flush();
      if (settled) break;
      await time.advance(1);
    }
    await done;
    return time.now() - before;
  };
  return { time, share, runOne };
}

test("a burst of 250 ms runs at once; after it, slices are paced to half of wall time", async () => {
  const { time, runOne } = paced(50);
  const start = time.now();
  const waits: number[] = [];
  for (let i = 0; i < 5; i++) waits.push(await runOne());
  expect(waits).toEqual([0, 0, 0, 0, 0]);
  for (let i = 0; i < 10; i++) waits.push(await runOne());
  // Ten more 50 ms slices at half the loop: about 100 ms of wall time each.
  const paced10 = time.now() - start;
  expect(paced10).toBeGreaterThanOrEqual(900);
  expect(paced10).toBeLessThanOrEqual(1_100);
  expect(Math.max(...waits.slice(6))).toBeLessThanOrEqual(102);
});

test("idle time refills the burst, never past it", async () => {
  const { time, runOne } = paced(50);
  for (let i = 0; i < 6; i++) await runOne();
  await time.advance(60_000);
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) waits.push(await runOne());
  expect(waits.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
  expect(waits[5]).toBeGreaterThan(0);
});

test("a slice that would wait past maxWaitMs is refused at once, without sleeping", async () => {
  const { time, share, runOne } = paced(400, { maxWaitMs: 500 });
  await runOne(); // 250 - 400: 150 ms owed, 301 ms to wait
  await runOne(); // waits 301 ms; now 250 ms owed, 501 ms to wait: more than 500
  const before = time.now();
  const error = await share
    .run(() => 0, never)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(isComputeShareExhausted(error)).toBe(true);
  expect(time.now()).toBe(before);
  expect(time.pending).toBe(0);
});

test("a caller that goes away while its slice waits ends with its own reason, no timer left", async () => {
  const { time, share, runOne } = paced(300);
  await runOne();
  const controller = new AbortController();
  const waiting = share
    .run(() => 0, controller.signal)
    .then(
      () => "ran",
      (e: unknown) => e,
    );
  await time.advance(10);
  controller.abort(new Error("client left"));
  expect(String(await waiting)).toContain("client left");
  expect(time.pending).toBe(0);
});

test("the simulator turns an exhausted share into a retryable busy answer", async () => {
  const reason = await createExhausted();
  expect(isComputeShareExhausted(reason)).toBe(true);
  const exhausted: ComputeShare = {
    run: async () => {
      throw reason;
    },
  };
  const sim = new SimulatedProvider({
    seed: 1,
    clock: new ManualClock(Date.parse("2026-11-27T18:00:00Z")),
    computeShare: exhausted,
  });
  const DAY = 86_400_000;
  const now = Date.parse("2026-11-27T18:00:00Z");
  const error = await sim
    .bars("BUSY", { timeframe: "1Day", start: now - 30 * DAY, end: now, limit: 10 }, never)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(isProviderError(error) && [error.kind, error.retryAfterMs]).toEqual([
    "rate_limited",
    1_000,
  ]);
});

/** The error a real share throws after its bound: made by one, so the test uses the real type. */
async function createExhausted(): Promise<unknown> {
  const time = new ManualScheduler();
  const share = createComputeShare({ clock: time, scheduler: time, burstMs: 0, maxWaitMs: 0 });
  return share
    .run(() => 0, never)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
}

test("every slice of a bar request, and its conversion, runs through the simulator's share", async () => {
  let slices = 0;
  const counting: ComputeShare = {
    run: async (slice) => {
      slices++;
      return slice();
    },
  };
  const now = Date.parse("2026-11-27T18:00:00Z");
  const sim = new SimulatedProvider({
    seed: 1,
    clock: new ManualClock(now),
    computeShare: counting,
  });
  const DAY = 86_400_000;
  const range = { timeframe: "1Day" as const, start: now - 319 * DAY, end: now, limit: 10_000 };
  // Ten slices of 32 days, and the conversion of their bars to the domain model.
  await sim.bars("SLICED", range, never);
  expect(slices).toBe(11);
  await sim.bars("SLICED", { ...range, latest: true }, never);
  expect(slices).toBe(22);
});

test("slices started in one turn of the loop run back to back only up to perTurnMs", async () => {
  let metered = 0;
  let ran = 0;
  const share = createComputeShare({ meter: () => metered, perTurnMs: 10 });
  const slice = () => {
    metered += 6;
    ran++;
  };
  const all = Promise.all([1, 2, 3, 4].map(() => share.run(slice, never)));
  // 6 + 6 ms reach the cap: the rest wait for the next turn, after pending I/O.
  expect(ran).toBe(2);
  await nextTurn();
  expect(ran).toBe(4);
  await all;
});

test("slices woken together after a wait still start no more than perTurnMs in one turn", async () => {
  let metered = 0;
  let turn = 0;
  let done = false;
  const tick = () => {
    turn++;
    if (!done) setImmediate(tick);
  };
  setImmediate(tick);
  const share = createComputeShare({ meter: () => metered, perTurnMs: 10 });
  const turns: number[] = [];
  // One big slice puts the bucket 10 ms in debt: the next slices sleep ~21 ms, all together.
  await share.run(() => {
    metered += 260;
  }, never);
  const all = Promise.all(
    Array.from({ length: 8 }, () =>
      share.run(() => {
        metered += 6;
        turns.push(turn);
      }, never),
    ),
  );
  await nextTurn();
  await nextTurn();
  // The loop is busy elsewhere meanwhile (a parse, a GC): their timers come due at once, and
  // the bucket has refilled enough for all eight.
  const until = performance.now() + 150;
  while (performance.now() < until) {}
  await all;
  done = true;
  const perTurn = new Map<number, number>();
  for (const t of turns) perTurn.set(t, (perTurn.get(t) ?? 0) + 1);
  expect(turns).toHaveLength(8);
  expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(2);
});
