/**
 * Fail-closed under real faults of a real redis-server (production mode).
 * Oracle: the handler's run count. While the store cannot answer, no request
 * may reach the handler or get a 2xx, and each must be decided within the
 * command timeout + 50 ms. After the fault, service recovers with no restart.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { createRedisStore, type RedisStore } from "../../src/ratelimit/index.ts";
import { createLogger, silentLogger } from "../../src/telemetry/logger.ts";
import { freePort, startRedis, type TestRedis } from "../support/redis.ts";
import { type OracleApp, oracleApp } from "./app.ts";
import { storeOnRedis } from "./redisStoreFixture.ts";
import { expectClosed, expectRecovers, TIMEOUT_MS, wave } from "./waves.ts";

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
