/**
 * A Redis far away or slow to answer, through a proxy that delays its replies:
 * every request is still decided, and a slow server's socket is kept.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { createRedisStore } from "../../src/ratelimit/index.ts";
import { createLogger } from "../../src/telemetry/logger.ts";
import { startLatencyProxy } from "../support/latencyProxy.ts";
import { startRedis } from "../support/redis.ts";
import { oracleApp } from "./app.ts";
import { expectClosed, TIMEOUT_MS } from "./waves.ts";

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

/**
 * A store on a real Redis behind a proxy delaying its replies by `delayMs` (changeable),
 * with the script already loaded (a NOSCRIPT and its EVAL would be two delayed round trips)
 * and the store's log lines kept.
 */
async function farRedis(delayMs: number, commandTimeoutMs: number) {
  const redis = await startRedis();
  await redis.cli("SCRIPT", "LOAD", await Bun.file("src/ratelimit/gcra.lua").text());
  const proxy = startLatencyProxy(redis.port, delayMs);
  const lines: string[] = [];
  const store = createRedisStore({
    url: `redis://127.0.0.1:${proxy.port}`,
    commandTimeoutMs,
    logger: createLogger("info", (line) => lines.push(line)),
  });
  cleanup.push(async () => {
    await store.close();
    proxy.stop();
    await redis.stop();
  });
  expect(await store.waitUntilReady(3000)).toBe(true);
  return { proxy, lines, oracle: oracleApp(store) };
}

describe("a Redis with latency", () => {
  test("a far-away Redis (round trip over half the timeout) still decides every request", async () => {
    // 90 ms each way back (the proxy delays replies) against a 150 ms timeout: a decision that
    // queued behind calls in flight for one round trip, then took its own, missed its deadline.
    const { oracle } = await farRedis(90, 150);
    // The first answer tells the store how far Redis is (/readyz's probe does it in production).
    expect((await oracle.get("/v1/news", "10.9.9.9")).status).toBe(200);
    // Eight clients out of step, each sending its next request a moment after the last was
    // answered: decisions arrive while others are in flight, as under real load.
    const statuses = await Promise.all(
      Array.from({ length: 8 }, async (_, client) => {
        const seen: number[] = [];
        await Bun.sleep(client * 11);
        for (let i = 0; i < 8; i++) {
          seen.push((await oracle.get("/v1/news", `10.9.${client}.${i}`)).status);
          await Bun.sleep((client * 7) % 20);
        }
        return seen;
      }),
    );
    const refused = statuses.flat().filter((s) => s !== 200).length;
    expect(refused).toBe(0);
  });

  test("a Redis answering only after the deadline: refused in time, and its socket kept", async () => {
    const { proxy, lines, oracle } = await farRedis(0, TIMEOUT_MS);
    expect((await oracle.get("/v1/news", "10.8.0.1")).status).toBe(200);
    proxy.delayMs = 1.5 * TIMEOUT_MS; // Redis now answers, but each reply too late
    for (let i = 0; i < 4; i++) await expectClosed(oracle, 5);
    // Replies keep arriving, late: a slow server, not a hung one. Dropping its socket would
    // only add handshakes and reject what is in flight.
    expect(lines.filter((l) => l.includes('"state":"disconnected"'))).toEqual([]);
  });
});
