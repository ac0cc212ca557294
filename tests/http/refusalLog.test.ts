/**
 * Refused requests (429) in the access log: a few a second are logged, the
 * rest counted onto the next logged one (src/http/refusalLogSampler.ts).
 */
import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import {
  createRefusalLogSampler,
  REFUSAL_LINES_PER_SECOND,
} from "../../src/http/refusalLogSampler.ts";
import { buildAuthHarness } from "../auth/support/authApp.ts";
import { describeEachDatabase } from "../support/databases.ts";

describe("refusal log sampler", () => {
  test("the first N of a second are logged, the rest counted onto the next logged one", () => {
    const clock = new ManualClock(1_750_000_000_500);
    const sampler = createRefusalLogSampler(clock, 3);
    expect([1, 2, 3, 4, 5].map(() => sampler.admit())).toEqual([0, 0, 0, false, false]);
    clock.advance(499); // still the same second
    expect(sampler.admit()).toBe(false);
    clock.advance(1);
    expect([1, 2, 3, 4].map(() => sampler.admit())).toEqual([3, 0, 0, false]);
    clock.advance(60_000);
    expect(sampler.admit()).toBe(1);
  });

  test("a clock stepped back starts a new second instead of keeping the budget spent", () => {
    const clock = new ManualClock(1_750_000_000_000);
    const sampler = createRefusalLogSampler(clock, 1);
    expect([sampler.admit(), sampler.admit()]).toEqual([0, false]);
    clock.set(1_749_999_000_000);
    expect(sampler.admit()).toBe(1);
  });
});

describeEachDatabase("refusals in the access log", (t) => {
  test("a flood of refusals through the real limiter: a few lines a second, and the count of the rest", async () => {
    const lines: string[] = [];
    const clock = new ManualClock(1_750_000_000_000);
    const h = await buildAuthHarness(t.db(), {
      clock,
      lines,
      env: { RATE_LIMIT_ANONYMOUS: "5/1m" },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 105; i++) statuses.push((await h.send("/v1/auth/me")).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(100);
    const refusalLines = () =>
      lines
        .map((l) => JSON.parse(l) as { msg: string; status?: number; refusals_not_logged?: number })
        .filter((r) => r.msg === "request" && r.status === 429);
    expect(refusalLines()).toHaveLength(REFUSAL_LINES_PER_SECOND);
    expect(refusalLines().some((r) => r.refusals_not_logged !== undefined)).toBe(false);

    clock.advance(1_000); // still refused: one request per 12 s comes back
    expect((await h.send("/v1/auth/me")).status).toBe(429);
    expect(refusalLines().at(-1)?.refusals_not_logged).toBe(100 - REFUSAL_LINES_PER_SECOND);
    // Other answers are never sampled.
    expect(lines.filter((l) => l.includes('"status":401'))).toHaveLength(5);
  });
});
