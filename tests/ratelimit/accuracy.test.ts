/**
 * Accuracy with several app instances and the in-process blocked-key cache,
 * against a real Redis whose clock (TIME) is the only one that decides.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import {
  BlockedKeys,
  createMemoryStore,
  createRedisStore,
  type LimitSpec,
} from "../../src/ratelimit/index.ts";
import { silentLogger } from "../../src/telemetry/logger.ts";
import { startRedis, type TestRedis } from "../support/redis.ts";
import { oracleApp } from "./app.ts";
import { clockedStore } from "./redisStoreFixture.ts";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

const evalCalls = async () => {
  const stats = await redis.cli("INFO", "commandstats");
  const count = (name: string) =>
    Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  return count("evalsha") + count("eval");
};

describe("accuracy across instances", () => {
  test("two instances with clocks skewed by a minute never admit more than the limit", async () => {
    const policies = {
      anonymous: { limit: 10, windowMs: 3_600_000 },
      user: { limit: 10, windowMs: 3_600_000 },
      routes: {},
    };
    const stores = [new ManualClock(Date.now() + 30_000), new ManualClock(Date.now() - 30_000)].map(
      (clock) =>
        createRedisStore({
          url: redis.url,
          commandTimeoutMs: 500,
          logger: silentLogger,
          clock,
          keyPrefix: "skew:",
        }),
    );
    for (const s of stores) expect(await s.waitUntilReady(2000)).toBe(true);
    const apps = stores.map((s) => oracleApp(s, policies));
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++)
      statuses.push((await apps[i % 2]?.get("/v1/news", "203.0.113.9"))?.status ?? 0);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(apps.reduce((n, a) => n + a.handlerRuns(), 0)).toBe(10);
    for (const s of stores) await s.close();
  });
});

describe("concurrency", () => {
  test("64 concurrent decisions on a fresh key admit exactly the limit", async () => {
    const store = createRedisStore({
      url: redis.url,
      commandTimeoutMs: 500,
      logger: silentLogger,
      keyPrefix: "conc:",
    });
    expect(await store.waitUntilReady(2000)).toBe(true);
    const spec: LimitSpec = { name: "ip", key: "{c}:all", limit: 10, windowMs: 3_600_000 };
    const decisions = await Promise.all(Array.from({ length: 64 }, () => store.decide([spec])));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    await store.close();
  });
});

/** A store whose clock and Redis's script clock are one injected clock. */
async function clocked(keyPrefix: string) {
  const clock = new ManualClock();
  return { clock, store: await clockedStore(redis, clock, keyPrefix) };
}

describe("blocked-key cache", () => {
  test("a key known to be over its limit is refused with zero Redis commands for a second", async () => {
    const { clock, store } = await clocked("hot:");
    const hot: LimitSpec = { name: "ip", key: "{hot}:all", limit: 2, windowMs: 2_000 };
    await store.decide([hot]);
    await store.decide([hot]);
    const learned = await store.decide([hot]); // learned from Redis
    expect(learned.allowed).toBe(false);
    expect(learned.states[0]?.resetMs).toBe(2000);
    const before = await evalCalls();
    for (let i = 0; i < 200; i++) {
      const d = await store.decide([hot]);
      expect(d.allowed).toBe(false);
      if (!d.allowed) expect(d.retryAfterMs).toBe(1000);
      // The cached answer keeps the store's meaning of reset: until the bucket is full again.
      expect(d.states[0]?.resetMs).toBe(2000);
    }
    clock.advance(400);
    const later = await store.decide([hot]);
    expect(later.allowed).toBe(false);
    if (!later.allowed) expect([later.states[0]?.resetMs, later.retryAfterMs]).toEqual([1600, 600]);
    expect(await evalCalls()).toBe(before);
    expect(store.stats.cachedRejections).toBe(201);
    clock.advance(600);
    expect((await store.decide([hot])).allowed).toBe(true); // asks Redis again, and Redis agrees
    expect(await evalCalls()).toBe(before + 1);
    await store.close();
  });

  test("a key deleted in Redis (a lifted lockout) is let through within a second", async () => {
    const { clock, store } = await clocked("lift:");
    // A lockout's shape: 5 per 15 minutes, so a refusal's retry is 180 s.
    const account: LimitSpec = { name: "acct", key: "{a}:acct", limit: 5, windowMs: 900_000 };
    for (let i = 0; i < 5; i++) expect((await store.decide([account])).allowed).toBe(true);
    const locked = await store.decide([account]);
    expect(locked.allowed ? 0 : locked.retryAfterMs).toBe(180_000);
    const keys = (await redis.cli("KEYS", "lift:*")).split("\n").filter(Boolean);
    expect(keys.length).toBeGreaterThan(0);
    await redis.cli("DEL", ...keys);
    clock.advance(999);
    expect((await store.decide([account])).allowed).toBe(false); // still held locally
    clock.advance(1);
    expect((await store.decide([account])).allowed).toBe(true); // asked Redis: lifted
    await store.close();
  });

  test("stays bounded under IP rotation", () => {
    const clock = new ManualClock();
    const cache = new BlockedKeys(clock, 100);
    for (let i = 0; i < 10_000; i++) {
      cache.add(`ip:${i}`, { cost: 1, name: "ip", limit: 1, windowMs: 60_000 }, 60_000, 60_000);
    }
    expect(cache.size).toBeLessThanOrEqual(100);
    const policy = { limit: 1, windowMs: 60_000 };
    expect(cache.find([{ key: "ip:9999", cost: 1, ...policy }])?.retryAfterMs).toBe(60_000);
    expect(cache.find([{ key: "ip:9999", cost: 0, ...policy }])).toBeUndefined(); // cheaper requests may fit
    // Refused under another policy: the store decides, not the cache.
    expect(cache.find([{ key: "ip:9999", cost: 1, limit: 600, windowMs: 60_000 }])).toBeUndefined();
  });

  test("the memory store stays bounded under IP rotation", async () => {
    const store = createMemoryStore({ clock: new ManualClock(), maxKeys: 1000 });
    for (let i = 0; i < 20_000; i++) {
      await store.decide([{ name: "ip", key: `{ip:${i}}:all`, limit: 60, windowMs: 60_000 }]);
    }
    expect(store.size()).toBeLessThanOrEqual(1000);
  });
});
