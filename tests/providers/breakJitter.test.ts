/**
 * A provider's breaks grow with openings in a row, 5, 10, 20, then 30 s, each spread ±25 %: a
 * fixed 30 s break locked onto a provider failing every 30 s, each probe landing in the next
 * outage (soak).
 */
import { expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import { providerPolicy } from "../../src/providers/policy.ts";
import { BreakerRegistry } from "../../src/resilience/index.ts";

/** The breaks of `openings` openings in a row (each probe fails). */
async function breaks(openings: number, breakJitter?: boolean): Promise<number[]> {
  const clock = new ManualClock(0);
  const { breaker } = providerPolicy({
    name: "alpaca",
    attemptTimeoutMs: 100,
    totalTimeoutMs: 200,
    clock,
    registry: new BreakerRegistry(),
    tuning: { failureThreshold: 1, ...(breakJitter === undefined ? {} : { breakJitter }) },
  });
  const seen: number[] = [];
  for (let i = 0; i < openings; i++) {
    await breaker.execute(() => Promise.reject(new Error("down"))).catch(() => undefined);
    expect(breaker.state).toBe("open");
    const ms = breaker.retryAfterMs();
    seen.push(ms);
    clock.advance(Math.ceil(ms)); // past it (a jittered break is fractional): the next call probes
  }
  return seen;
}

test("breaks double from 5 s to 30 s for openings in a row", async () => {
  expect(await breaks(6, false)).toEqual([5_000, 10_000, 20_000, 30_000, 30_000, 30_000]);
});

test("each break is spread ±25 % by default", async () => {
  const firsts = await Promise.all(
    Array.from({ length: 20 }, async () => (await breaks(1))[0] ?? 0),
  );
  for (const ms of firsts) expect([ms, ms >= 3_750 && ms <= 6_250]).toEqual([ms, true]);
  expect(new Set(firsts).size).toBeGreaterThan(1);
  const capped = (await breaks(5)).at(-1) ?? 0;
  expect(capped >= 22_500 && capped <= 37_500).toBe(true);
});
