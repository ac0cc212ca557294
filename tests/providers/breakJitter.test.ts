/**
 * A provider's breaker breaks for 30 s ±25 %, not exactly 30 s: a fixed break locked onto a
 * provider failing every 30 s, each probe landing in the next outage (soak).
 */
import { expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import { providerPolicy } from "../../src/providers/policy.ts";
import { BreakerRegistry } from "../../src/resilience/index.ts";

async function breakAfterOpening(breakJitter?: boolean): Promise<number> {
  const clock = new ManualClock(0);
  const { breaker } = providerPolicy({
    name: "alpaca",
    attemptTimeoutMs: 100,
    totalTimeoutMs: 200,
    clock,
    registry: new BreakerRegistry(),
    tuning: { failureThreshold: 1, ...(breakJitter === undefined ? {} : { breakJitter }) },
  });
  await breaker.execute(() => Promise.reject(new Error("down"))).catch(() => undefined);
  expect(breaker.state).toBe("open");
  return breaker.retryAfterMs();
}

test("breaks are spread around 30 s by default, exact when jitter is off", async () => {
  const breaks = await Promise.all(Array.from({ length: 20 }, () => breakAfterOpening()));
  for (const ms of breaks) expect(ms >= 22_500 && ms <= 37_500).toBe(true);
  expect(new Set(breaks).size).toBeGreaterThan(1);
  expect(await breakAfterOpening(false)).toBe(30_000);
});
