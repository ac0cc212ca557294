/**
 * Long simulated bar requests are CPU-bound: two run at a time, eight wait,
 * the rest get a retryable "busy" at once; short requests never queue behind
 * them. Every bar request is admitted (8 computing, 64 waiting), askers in
 * turn, one asker holding at most half the waiting places.
 */
import { expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import { isProviderError, SimulatedProvider } from "../../src/providers/index.ts";
import type { ComputeShare } from "../../src/providers/simulator/computeShare.ts";

const NOW = Date.parse("2026-11-27T18:00:00Z");
const DAY = 86_400_000;
const signal = new AbortController().signal;

test("beyond 2 running and 8 waiting, a long request is refused with Retry-After; a short one runs", async () => {
  const sim = new SimulatedProvider({ seed: 11, clock: new ManualClock(NOW) });
  const long = (i: number) =>
    sim.bars(
      `LONG${i}`,
      // Just over a year of work: enough for the bulkhead, cheap enough to finish well
      // inside its 5 s queue wait on a slow machine.
      {
        timeframe: "1Day",
        start: NOW - 400 * DAY,
        end: NOW,
        limit: 10_000,
        requester: `user${i}`,
      },
      signal,
    );
  const started = Array.from({ length: 11 }, (_, i) =>
    long(i).then(
      (bars) => ({ ok: true as const, n: bars.length }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
  );
  // Up to a year of work never waits behind the ten above: a month of minutes, the default
  // daily chart (a year, latest), and ten years asked for their last 20 bars.
  const short = await sim.bars(
    "SHORT",
    { timeframe: "1Min", start: NOW - 20 * DAY, end: NOW, limit: 5 },
    signal,
  );
  expect(short).toHaveLength(5);
  const chart = await sim.bars(
    "CHART",
    { timeframe: "1Day", start: NOW - 365 * DAY, end: NOW, limit: 1_000, latest: true },
    signal,
  );
  expect(chart.length).toBeGreaterThan(240);
  const tail = await sim.bars(
    "TAIL",
    { timeframe: "1Day", start: NOW - 3_000 * DAY, end: NOW, limit: 20, latest: true },
    signal,
  );
  expect(tail).toHaveLength(20);
  const results = await Promise.all(started);
  expect(results.filter((r) => r.ok)).toHaveLength(10);
  const refused = results.filter((r) => !r.ok);
  expect(refused).toHaveLength(1);
  const error = refused[0]?.ok === false ? refused[0].error : undefined;
  expect(isProviderError(error) && error.kind).toBe("rate_limited");
  expect(isProviderError(error) && error.retryAfterMs).toBe(1_000);
});

/** A simulator whose compute share holds every slice until `open()`: requests stay "computing". */
function heldSimulator() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const order: string[] = [];
  const held: ComputeShare = {
    run: async (slice) => {
      await opened;
      return slice();
    },
  };
  const sim = new SimulatedProvider({ seed: 5, clock: new ManualClock(NOW), computeShare: held });
  const ask = (label: string, requester: string) =>
    sim
      .bars(
        label,
        { timeframe: "1Day", start: NOW - 10 * DAY, end: NOW, limit: 5, requester },
        signal,
      )
      .then(
        () => {
          order.push(label);
          return "ok";
        },
        (error: unknown) => (isProviderError(error) ? error.kind : "other"),
      );
  return { ask, order, open };
}

test("every bar request is admitted: 8 compute, 64 wait, the next is refused at once", async () => {
  const { ask, order, open } = heldSimulator();
  // One request per asker: taking askers in turn is arrival order.
  const asked = Array.from({ length: 73 }, (_, i) => ask(`Q${i}`, `user${i}`));
  // The 73rd finds eight computing and 64 waiting: refused now, before any slice runs.
  expect(await asked[72]).toBe("rate_limited");
  open();
  const results = await Promise.all(asked);
  expect(results.filter((r) => r === "ok")).toHaveLength(72);
  // Admitted in arrival order: the waiting ones finish after the first eight, in order.
  expect(order.slice(8)).toEqual(Array.from({ length: 64 }, (_, i) => `Q${i + 8}`));
});

test("one asker's flood holds at most 32 waiting places, and another asker goes next", async () => {
  const { ask, order, open } = heldSimulator();
  const flood = Array.from({ length: 50 }, (_, i) => ask(`F${i}`, "flooder"));
  // 8 computing and 32 waiting; the flooder's next ten are refused at once.
  expect(await Promise.all(flood.slice(40))).toEqual(Array(10).fill("rate_limited"));
  const calm = ask("calm", "viewer");
  open();
  expect(await calm).toBe("ok");
  expect((await Promise.all(flood)).filter((r) => r === "ok")).toHaveLength(40);
  // In arrival order it would have been 41st; in turn it is among the first freed slots.
  expect(order.indexOf("calm")).toBeLessThan(10);
});
