/**
 * Fail-closed under real faults of a real redis-server (production mode).
 * Oracle: the handler's run count. While the store cannot answer, no request
 * may reach the handler or get a 2xx, and each must be decided within the
 * command timeout + 50 ms. After the fault, service recovers with no restart.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { createRedisStore, type RedisStore } from "../../src/ratelimit/index.ts";
import { createLogger, silentLogger } from "../../src/telemetry/logger.ts";
import { startLatencyProxy } from "../support/latencyProxy.ts";
import { freePort, startRedis, type TestRedis } from "../support/redis.ts";
import { type OracleApp, oracleApp } from "./app.ts";
import { storeOnRedis } from "./redisStoreFixture.ts";

const TIMEOUT_MS = 100;
const BUDGET_MS = TIMEOUT_MS + 50;

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function setup(
  existing?: TestRedis,
): Promise<{ redis: TestRedis; store: RedisStore; oracle: OracleApp }> {
  const { redis, store } = await storeOnRedis(cleanup, TIMEOUT_MS, existing);
  return { redis, store, oracle: oracleApp(store) };
}

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

let ipCounter = 0;
/** `n` concurrent requests from distinct clients; status and duration of each. */
async function wave(
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
async function expectClosed(oracle: OracleApp, n = 20): Promise<void> {
  const before = oracle.handlerRuns();
  const results = await wave(oracle, n);
  expect(results.every((r) => r.status === 503)).toBe(true);
  expect(results.every((r) => r.retryAfter === "1")).toBe(true);
  const slowest = Math.max(...results.map((r) => r.ms));
  expect(slowest).toBeLessThanOrEqual(BUDGET_MS);
  expect(oracle.handlerRuns()).toBe(before);
}

/** Waits (bounded) until a wave is admitted again, i.e. recovery without a restart. */
async function expectRecovers(store: RedisStore, oracle: OracleApp): Promise<void> {
  expect(await store.waitUntilReady(5000)).toBe(true);
  for (let i = 0; i < 100; i++) {
    const results = await wave(oracle, 5);
    if (results.every((r) => r.status === 200)) return;
    await Bun.sleep(20);
  }
  throw new Error("the limiter did not recover");
}

describe("fail-closed against a real redis-server", () => {
  test("SIGKILL mid-load, then restart empty: no admission while down, recovery after", async () => {
    const { redis, store, oracle } = await setup();
    let loading = true;
    let killed = false;
    const load = (async () => {
      const seen: Array<{ status: number; startedAfterKill: boolean }> = [];
      // Bounded: the loop ends even if an assertion below throws first.
      for (let waves = 0; loading && waves < 500; waves++) {
        const startedAfterKill = killed;
        for (const r of await wave(oracle, 10)) seen.push({ status: r.status, startedAfterKill });
      }
      return seen;
    })();
    try {
      await Bun.sleep(50);
      await redis.kill();
      killed = true;
      await expectClosed(oracle);
    } finally {
      loading = false;
    }
    const seen = await load;
    expect(seen.some((r) => !r.startedAfterKill && r.status === 200)).toBe(true);
    expect(seen.filter((r) => r.startedAfterKill && r.status !== 503)).toEqual([]);
    await redis.restart();
    await expectRecovers(store, oracle);
  });

  test("SIGSTOP: a hung server is a timeout, never a hang; SIGCONT recovers", async () => {
    const { redis, store, oracle } = await setup();
    expect((await wave(oracle, 5)).every((r) => r.status === 200)).toBe(true);
    redis.pause();
    for (let i = 0; i < 3; i++) await expectClosed(oracle);
    redis.resume();
    await expectRecovers(store, oracle);
  });

  test("SIGSTOP: decisions refused during the stall charge nothing when Redis runs them later", async () => {
    const { redis, store, oracle } = await setup();
    const spec = { name: "ip", key: "{stall}:k", limit: 10, windowMs: 3_600_000 };
    expect((await store.decide([spec])).allowed).toBe(true); // the reply teaches Redis's clock
    const before = await redis.cli("GET", "rl:{stall}:k");
    redis.pause();
    const during = await Promise.allSettled(
      Array.from({ length: 5 }, () => store.decide([{ ...spec }])),
    );
    expect(during.map((r) => r.status)).toEqual(Array(5).fill("rejected"));
    await Bun.sleep(200); // the stall outlasts the deadline and its grace (LATE_GRACE_MS)
    redis.resume();
    // The stalled calls run as soon as Redis resumes; give them 500 ms to show up.
    let after = before;
    for (let waited = 0; waited < 500 && after === before; waited += 20) {
      await Bun.sleep(20);
      after = await redis.cli("GET", "rl:{stall}:k");
    }
    expect(after).toBe(before);
    await expectRecovers(store, oracle);
    const next = await store.decide([spec]);
    expect(next.allowed && next.states[0]?.remaining).toBe(8); // 10 − the first − this one
  });

  test("our event loop blocked past a deadline: Redis's in-time answer stands, and charged once", async () => {
    const { store } = await setup();
    const spec = { name: "ip", key: "{busy}:k", limit: 100, windowMs: 3_600_000 };
    expect((await store.decide([spec])).allowed).toBe(true);
    const stalled = store.decide([spec]).then(
      (d) => d.allowed,
      (e: unknown) => e,
    );
    await Bun.sleep(0); // the call is written
    const blockedUntil = performance.now() + TIMEOUT_MS * 3;
    while (performance.now() < blockedUntil) {
      // A synchronous stall: the reply arrives, but nothing reads it or sweeps the deadline.
    }
    // Redis answered within the deadline; only we were slow to read it. Refusing it would be a
    // 503 for a decision Redis made and charged (a fuzz probe saw every client get 503s).
    expect(await stalled).toBe(true);
    // The slow reply taught nothing about Redis's clock: healthy calls go through at once.
    for (let i = 0; i < 3; i++) expect((await store.decide([spec])).allowed).toBe(true);
    const last = await store.decide([spec]);
    expect(last.allowed && last.states[0]?.remaining).toBe(100 - 6);
  });

  test("CLIENT PAUSE: queued scripts answer after the deadline and are ignored", async () => {
    const { redis, store, oracle } = await setup();
    await redis.cli("CLIENT", "PAUSE", "600", "ALL");
    await expectClosed(oracle);
    await expectRecovers(store, oracle);
  });

  test("SIGSTOP: a silent server's socket is dropped once it has been silent for two timeouts", async () => {
    const redis = await startRedis();
    const lines: string[] = [];
    const store = createRedisStore({
      url: redis.url,
      commandTimeoutMs: TIMEOUT_MS,
      logger: createLogger("info", (line) => lines.push(line)),
    });
    cleanup.push(async () => {
      redis.resume();
      await store.close();
      await redis.stop();
    });
    expect(await store.waitUntilReady(3000)).toBe(true);
    const oracle = oracleApp(store);
    expect((await oracle.get("/v1/news", "10.7.0.1")).status).toBe(200);
    redis.pause();
    const dropped = () => lines.some((l) => l.includes('"error_code":"ERR_DEADLINE_DROP"'));
    for (let wave = 0; wave < 5 && !dropped(); wave++) await expectClosed(oracle, 5);
    expect(dropped()).toBe(true);
  });

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

  test("SCRIPT FLUSH: NOSCRIPT is recovered with one EVAL, not a failure", async () => {
    const { redis, oracle } = await setup();
    await wave(oracle, 3);
    await redis.cli("CONFIG", "RESETSTAT");
    await redis.cli("SCRIPT", "FLUSH");
    const results = await wave(oracle, 1);
    expect(results[0]?.status).toBe(200);
    const stats = await redis.cli("INFO", "commandstats");
    expect(stats).toMatch(/cmdstat_eval:calls=1,/);
    expect(stats).toMatch(/cmdstat_evalsha:calls=1,.*failed_calls=1/);
    expect((await wave(oracle, 5)).every((r) => r.status === 200)).toBe(true);
  });

  test("maxmemory OOM: a script that cannot write fails closed", async () => {
    const { redis, store, oracle } = await setup();
    await redis.cli("CONFIG", "SET", "maxmemory-policy", "noeviction");
    await redis.cli("CONFIG", "SET", "maxmemory", "1");
    await expectClosed(oracle);
    expect(store.health().state).toBe("unavailable");
    await redis.cli("CONFIG", "SET", "maxmemory", "0");
    await expectRecovers(store, oracle);
    expect(store.health().state).toBe("ready");
  });

  test("Redis absent at boot: 503 until it appears, then admitted with no restart", async () => {
    const port = freePort();
    const store = createRedisStore({
      url: `redis://127.0.0.1:${port}`,
      commandTimeoutMs: TIMEOUT_MS,
      logger: silentLogger,
    });
    cleanup.push(() => store.close());
    const oracle = oracleApp(store);
    expect(store.health().state).not.toBe("ready");
    await expectClosed(oracle);
    const redis = await startRedis({ port });
    cleanup.push(() => redis.stop());
    await expectRecovers(store, oracle);
  });

  test("Redis restarted empty: budgets start over (documented), the limiter keeps limiting", async () => {
    const { redis, store } = await storeOnRedis(cleanup, TIMEOUT_MS);
    const oracle = oracleApp(store, {
      anonymous: { limit: 2, windowMs: 3_600_000 },
      user: { limit: 2, windowMs: 3_600_000 },
      routes: {},
    });
    const statuses = async () => (await oracle.get("/v1/news", "198.51.100.1")).status;
    expect([await statuses(), await statuses(), await statuses()]).toEqual([200, 200, 429]);
    await redis.kill();
    await expectClosed(oracle, 5);
    await redis.restart();
    expect(await store.waitUntilReady(5000)).toBe(true);
    // The in-process blocked-key cache still refuses the known-blocked client…
    expect(await statuses()).toBe(429);
    // …and a new client is limited by the emptied Redis exactly as before.
    const fresh = async () => (await oracle.get("/v1/news", "198.51.100.2")).status;
    expect([await fresh(), await fresh(), await fresh()]).toEqual([200, 200, 429]);
  });
});
