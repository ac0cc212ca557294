/**
 * The provider buckets never let more through in any window than the provider publishes: a
 * client taking every token as soon as it exists, over two windows, counted in every window.
 * (Refilling the whole limit on top of the burst let 246 requests reach a fake Alpaca in one
 * minute against its 200; a strict provider answers 429, which counts against our breaker.)
 */
import { expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import { PROVIDER_RATE_LIMITS } from "../../src/providers/policy.ts";
import { tokenBucket } from "../../src/resilience/index.ts";

const PUBLISHED = { alpaca: 200, finnhub: 60, alphavantage: 25 } as const;

test.each(Object.keys(PUBLISHED) as Array<keyof typeof PUBLISHED>)(
  "%s: at most its published limit in any window",
  (name) => {
    const settings = PROVIDER_RATE_LIMITS[name];
    const clock = new ManualClock(0);
    const bucket = tokenBucket({ ...settings, clock });
    const step = settings.intervalMs / 2_000;
    const taken: number[] = [];
    for (let t = 0; t <= 2 * settings.intervalMs; t += step) {
      while (bucket.tryTake() === 0) taken.push(t);
      clock.advance(step);
    }
    let most = 0;
    for (let i = 0, j = 0; i < taken.length; i++) {
      while ((taken[i] as number) - (taken[j] as number) >= settings.intervalMs) j++;
      most = Math.max(most, i - j + 1);
    }
    expect(most).toBeLessThanOrEqual(PUBLISHED[name]);
    expect(most).toBeGreaterThanOrEqual(PUBLISHED[name] - 1); // and not far below it
  },
);
