/**
 * Waves of concurrent requests against the oracle app, and the two verdicts
 * the fault tests ask of them: failed closed in time, or recovered.
 */
import { expect } from "bun:test";
import type { RedisStore } from "../../src/ratelimit/index.ts";
import type { OracleApp } from "./app.ts";

/** The store's command timeout in the fault tests. */
export const TIMEOUT_MS = 100;
/** How long a refused decision may take: the timeout plus scheduling slack. */
export const BUDGET_MS = TIMEOUT_MS + 50;

let ipCounter = 0;
/** `n` concurrent requests from distinct clients; status and duration of each. */
export async function wave(
  oracle: OracleApp,
  n: number,
): Promise<Array<{ status: number; ms: number; retryAfter: string | null }>> {
  return await Promise.all(
    Array.from({ length: n }, async () => {
      const ip = `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter++ & 255}`;
      const start = performance.now();
      const res = await oracle.get("/v1/news", ip);
      return {
        status: res.status,
        ms: performance.now() - start,
        retryAfter: res.headers.get("Retry-After"),
      };
    }),
  );
}

/** Asserts a whole wave failed closed: 503 + Retry-After, in time, no handler run. */
export async function expectClosed(oracle: OracleApp, n = 20): Promise<void> {
  const before = oracle.handlerRuns();
  const results = await wave(oracle, n);
  expect(results.every((r) => r.status === 503)).toBe(true);
  expect(results.every((r) => r.retryAfter === "1")).toBe(true);
  const slowest = Math.max(...results.map((r) => r.ms));
  expect(slowest).toBeLessThanOrEqual(BUDGET_MS);
  expect(oracle.handlerRuns()).toBe(before);
}

/** Waits (bounded) until a wave is admitted again, i.e. recovery without a restart. */
export async function expectRecovers(store: RedisStore, oracle: OracleApp): Promise<void> {
  expect(await store.waitUntilReady(5000)).toBe(true);
  for (let i = 0; i < 100; i++) {
    const results = await wave(oracle, 5);
    if (results.every((r) => r.status === 200)) return;
    await Bun.sleep(20);
  }
  throw new Error("the limiter did not recover");
}
