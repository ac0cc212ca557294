/**
 * Long simulated bar requests are CPU-bound: two run at a time, eight wait,
 * the rest get a retryable "busy" at once; short requests never queue.
 */
import { expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import { isProviderError, SimulatedProvider } from "../../src/providers/index.ts";

const NOW = Date.parse("2026-11-27T18:00:00Z");
const DAY = 86_400_000;
const signal = new AbortController().signal;

test("beyond 2 running and 8 waiting, a long request is refused with Retry-After; a short one runs", async () => {
  const sim = new SimulatedProvider({ seed: 11, clock: new ManualClock(NOW) });
  const long = (i: number) =>
    sim.bars(
      `LONG${i}`,
      { timeframe: "1Day", start: NOW - 3_000 * DAY, end: NOW, limit: 10 },
      signal,
    );
  const started = Array.from({ length: 11 }, (_, i) =>
    long(i).then(
      (bars) => ({ ok: true as const, n: bars.length }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
  );
  // A month of minutes is one slice: no bulkhead, no waiting behind the ten above.
  const short = await sim.bars(
    "SHORT",
    { timeframe: "1Min", start: NOW - 20 * DAY, end: NOW, limit: 5 },
    signal,
  );
  expect(short).toHaveLength(5);
  const results = await Promise.all(started);
  expect(results.filter((r) => r.ok)).toHaveLength(10);
  const refused = results.filter((r) => !r.ok);
  expect(refused).toHaveLength(1);
  const error = refused[0]?.ok === false ? refused[0].error : undefined;
  expect(isProviderError(error) && error.kind).toBe("rate_limited");
  expect(isProviderError(error) && error.retryAfterMs).toBe(1_000);
});
