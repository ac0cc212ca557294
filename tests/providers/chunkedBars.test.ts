/** Long simulated bar requests: same bars as in one piece, other work runs between slices, abort stops them. */
import { expect, test } from "bun:test";
import { simulatedBars } from "../../src/providers/simulator/aggregate.ts";
import { chunkedBars, SLICE_MS } from "../../src/providers/simulator/chunkedBars.ts";
import { symbolParams } from "../../src/providers/simulator/index.ts";
import type { Timeframe } from "../../src/providers/types.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-27T15:31:00Z"); // mid-session: today's bars are partial
const never = new AbortController().signal;

test.each<[Timeframe, number, number]>([
  ["1Day", 3_660, 10_000],
  ["1Day", 400, 37],
  ["1Hour", 366, 10_000],
  ["15Min", 70, 501],
  ["1Min", 40, 10_000],
])("%s over %i days (limit %i): the bars of the one-piece computation", async (tf, days, limit) => {
  const params = symbolParams(3, "CHNK");
  // Not aligned to a day or a slice: slice boundaries fall inside sessions.
  const query = { timeframe: tf, start: NOW - days * DAY + 12_345, end: NOW - 7_777, limit };
  const whole = simulatedBars(params, tf, query, NOW);
  expect(whole.length).toBeGreaterThan(0);
  expect(await chunkedBars(params, query, NOW, never)).toEqual(whole);
  expect(days * DAY).toBeGreaterThan(SLICE_MS);
});

test.each<[Timeframe, number, number]>([
  ["1Day", 3_660, 10],
  ["1Hour", 366, 100],
  ["15Min", 70, 501],
  ["1Min", 40, 3_000],
  ["1Min", 40, 10_000],
])(
  "latest: %s over %i days, the last %i bars of the one-piece computation",
  async (tf, days, limit) => {
    const params = symbolParams(3, "LAST");
    const range = { start: NOW - days * DAY + 12_345, end: NOW - 7_777 };
    const whole = simulatedBars(params, tf, { ...range, limit: Number.MAX_SAFE_INTEGER }, NOW);
    const latest = await chunkedBars(
      params,
      { timeframe: tf, ...range, limit, latest: true },
      NOW,
      never,
    );
    expect(latest).toEqual(whole.slice(-limit));
    expect(latest.length).toBe(Math.min(limit, whole.length));
  },
);

test("a ten-year daily request lets the event loop run between slices", async () => {
  let turns = 0;
  let running = true;
  const spin = () => {
    if (!running) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  const query = { timeframe: "1Day" as const, start: NOW - 3_660 * DAY, end: NOW, limit: 10_000 };
  const bars = await chunkedBars(symbolParams(4, "LIVE"), query, NOW, never);
  running = false;
  expect(bars.length).toBeGreaterThan(2_000);
  // One turn per slice boundary (~114): a request done in one piece would leave this at 0.
  expect(turns).toBeGreaterThanOrEqual(100);
});

test("an aborted request stops at the next slice with the abort reason", async () => {
  const controller = new AbortController();
  const query = { timeframe: "1Day" as const, start: NOW - 3_660 * DAY, end: NOW, limit: 10_000 };
  const pending = chunkedBars(symbolParams(5, "GONE"), query, NOW, controller.signal);
  const reason = new Error("client went away");
  controller.abort(reason);
  expect(
    await pending.then(
      () => "resolved",
      (e: unknown) => e,
    ),
  ).toBe(reason);
});
