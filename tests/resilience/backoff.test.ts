import { describe, expect, test } from "bun:test";
import {
  constantBackoff,
  delegateBackoff,
  exponentialBackoff,
} from "../../src/resilience/index.ts";

const huge = [1_023, 1_024, 1_025, 5_000, 1e6, Number.MAX_SAFE_INTEGER];

describe("backoff", () => {
  test("constant: the same delay; jitter stays within ±25 %", () => {
    expect(constantBackoff(200)()(7)).toBe(200);
    expect(constantBackoff(200, { jitter: true, random: () => 0 })()(1)).toBe(150);
    expect(constantBackoff(200, { jitter: true, random: () => 0.999999 })()(1)).toBeCloseTo(250, 2);
  });

  test("exponential without jitter doubles from the base and stops at the cap", () => {
    const next = exponentialBackoff({ initialMs: 100, jitter: "none", maxMs: 1000 })();
    expect([1, 2, 3, 4, 5, 6].map(next)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  test("full jitter draws in [0, ceiling)", () => {
    const next = exponentialBackoff({ initialMs: 100, jitter: "full", random: () => 0.5 })();
    expect(next(3)).toBe(200);
  });

  test("decorrelated jitter grows roughly 2× per attempt and stays positive", () => {
    const next = exponentialBackoff({ initialMs: 100, random: () => 0.5, maxMs: 1e9 })();
    const delays = [1, 2, 3, 4, 5, 6].map(next);
    for (const d of delays) expect(d).toBeGreaterThan(0);
    const last = delays[5] as number;
    const before = delays[4] as number;
    expect(last / before).toBeGreaterThan(1.5);
    expect(last / before).toBeLessThan(2.5);
  });

  test("no NaN or Infinity at huge attempt numbers, whatever the jitter (cockatiel #86, Polly #2163)", () => {
    for (const jitter of ["none", "full", "decorrelated"] as const) {
      for (const r of [0, 0.5, 0.999999]) {
        const next = exponentialBackoff({ jitter, random: () => r, maxMs: 30_000 })();
        for (let attempt = 1; attempt <= 1_100; attempt++) {
          const d = next(attempt);
          expect(Number.isFinite(d) && d >= 0 && d <= 30_000).toBe(true);
        }
        for (const attempt of huge) {
          const d = exponentialBackoff({ jitter, random: () => r })()(attempt);
          expect(Number.isFinite(d) && d >= 0 && d <= 30_000).toBe(true);
        }
      }
    }
  });

  test("zero base means no delay, even when the factor overflows", () => {
    const next = exponentialBackoff({ initialMs: 0, jitter: "none" })();
    expect(next(5_000)).toBe(0);
  });

  test("delegate delays are clamped to [0, max]", () => {
    const next = delegateBackoff((n) => (n === 1 ? -5 : n === 2 ? Number.NaN : 1e12), 500)();
    expect([next(1), next(2), next(3)]).toEqual([0, 500, 500]);
  });
});
