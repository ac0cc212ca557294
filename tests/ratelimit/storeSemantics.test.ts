/**
 * GCRA semantics, run identically against the in-memory store (TS math) and
 * the Redis store (Lua) with a driven clock, so the two cannot drift apart.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import {
  createMemoryStore,
  createRedisStore,
  type LimitSpec,
  type RateLimitStore,
} from "../../src/ratelimit/index.ts";
import { silentLogger } from "../../src/telemetry/logger.ts";
import { startRedis, type TestRedis } from "../support/redis.ts";
import { clockedStore } from "./redisStoreFixture.ts";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

let prefixCounter = 0;
const factories: Record<string, (clock: ManualClock) => Promise<RateLimitStore>> = {
  memory: async (clock) => createMemoryStore({ clock }),
  redis: (clock) => clockedStore(redis, clock, `t${++prefixCounter}:`),
};

const lim = (over: Partial<LimitSpec> = {}): LimitSpec => ({
  name: "ip",
  key: "{a}:all",
  limit: 5,
  windowMs: 10_000,
  ...over,
});

for (const [kind, make] of Object.entries(factories)) {
  describe(`${kind} store`, () => {
    test("a fresh key spends the whole limit at once, then the next is refused", async () => {
      const clock = new ManualClock();
      const store = await make(clock);
      const remaining: number[] = [];
      for (let i = 0; i < 5; i++) {
        const d = await store.decide([lim()]);
        expect(d.allowed).toBe(true);
        remaining.push(d.states[0]?.remaining ?? -1);
      }
      expect(remaining).toEqual([4, 3, 2, 1, 0]);
      const refused = await store.decide([lim()]);
      expect(refused.allowed).toBe(false);
      if (!refused.allowed) {
        expect(refused.blockedBy).toBe("ip");
        expect(refused.retryAfterMs).toBe(2000); // one unit refills every 10 s / 5
      }
      await store.close();
    });

    test("refills continuously at limit/window, exact at the boundary instant", async () => {
      const clock = new ManualClock();
      const store = await make(clock);
      for (let i = 0; i < 5; i++) await store.decide([lim({ key: "{b}:all" })]);
      clock.advance(1999);
      expect((await store.decide([lim({ key: "{b}:all" })])).allowed).toBe(false);
      clock.advance(1);
      expect((await store.decide([lim({ key: "{b}:all" })])).allowed).toBe(true);
      expect((await store.decide([lim({ key: "{b}:all" })])).allowed).toBe(false);
      // Steady rate: one every 2 s is always admitted, for many periods.
      for (let i = 0; i < 20; i++) {
        clock.advance(2000);
        expect((await store.decide([lim({ key: "{b}:all" })])).allowed).toBe(true);
      }
      // A full window of idleness refills the whole burst, and no more.
      clock.advance(10_000);
      let admitted = 0;
      for (let i = 0; i < 8; i++)
        if ((await store.decide([lim({ key: "{b}:all" })])).allowed) admitted++;
      expect(admitted).toBe(5);
      await store.close();
    });

    test("a request costing more than what is left consumes nothing", async () => {
      const clock = new ManualClock();
      const store = await make(clock);
      const key = "{c}:all";
      expect((await store.decide([lim({ key, cost: 3 })])).allowed).toBe(true);
      expect((await store.decide([lim({ key, cost: 3 })])).allowed).toBe(false);
      const after = await store.decide([lim({ key, cost: 2 })]);
      expect(after.allowed).toBe(true);
      expect(after.states[0]?.remaining).toBe(0);
      await store.close();
    });

    test("several limits are all-or-nothing", async () => {
      const clock = new ManualClock();
      const store = await make(clock);
      const big = lim({ name: "user", key: "{u1}:all", limit: 100 });
      const small = lim({ name: "market", key: "{u1}:g:market", limit: 2 });
      expect((await store.decide([big, small])).allowed).toBe(true);
      expect((await store.decide([big, small])).allowed).toBe(true);
      const refused = await store.decide([big, small]);
      expect(refused.allowed).toBe(false);
      if (!refused.allowed) expect(refused.blockedBy).toBe("market");
      // The refused request did not consume from "user": two admitted, 98 left.
      const alone = await store.decide([big], { peek: true });
      expect(alone.states[0]?.remaining).toBe(97); // a peek reports the state after one more
      expect((await store.decide([big])).states[0]?.remaining).toBe(97);
      await store.close();
    });

    test("peek consumes nothing and reset forgets", async () => {
      const clock = new ManualClock();
      const store = await make(clock);
      const l = lim({ key: "{d}:all", limit: 2 });
      for (let i = 0; i < 5; i++)
        expect((await store.decide([l], { peek: true })).allowed).toBe(true);
      await store.decide([l]);
      await store.decide([l]);
      expect((await store.decide([l], { peek: true })).allowed).toBe(false);
      await store.reset([l.key]);
      expect((await store.decide([l])).allowed).toBe(true);
      await store.close();
    });

    test("refund gives back exactly what a decision spent, never beyond a full bucket", async () => {
      const clock = new ManualClock();
      const store = await make(clock);
      const l = lim({ key: "{r}:all", limit: 3, windowMs: 30_000 });
      for (let i = 0; i < 3; i++) await store.decide([l]);
      expect((await store.decide([l])).allowed).toBe(false);
      await store.refund([l]); // the refused key is asked again, not answered from a cache
      const after = await store.decide([l], { peek: true });
      expect(after).toMatchObject({ allowed: true, states: [{ remaining: 0 }] });
      // Refunds of a full or absent bucket bank nothing: still exactly 3 at once.
      await store.refund([l]);
      await store.refund([l, l, l]);
      await store.refund([lim({ key: "{r}:never-used" })]);
      const spent: boolean[] = [];
      for (let i = 0; i < 4; i++) spent.push((await store.decide([l])).allowed);
      expect(spent).toEqual([true, true, true, false]);
      // Partly refilled, then refunded: the TAT goes back by one interval, no further than now.
      clock.advance(10_000); // one unit back by time
      await store.refund([l]); // and one by refund
      expect((await store.decide([l], { peek: true })).states[0]?.remaining).toBe(1);
      clock.advance(25_000);
      await store.refund([{ ...l, cost: 2 }]);
      expect((await store.decide([l], { peek: true })).states[0]?.remaining).toBe(2);
      await store.close();
    });

    test("a relaxed limit applies at once: a backlog from the stricter one is capped at the new window", async () => {
      const clock = new ManualClock();
      const store = await make(clock);
      const strict = lim({ key: "{s}:all", limit: 2, windowMs: 3_600_000 });
      await store.decide([strict]);
      await store.decide([strict]);
      const before = await store.decide([strict]);
      expect(before.allowed).toBe(false);
      // Relaxed to 600/1m: at most one new interval (100 ms) to wait, never the old hour.
      const relaxed = { ...strict, limit: 600, windowMs: 60_000 };
      const now = await store.decide([relaxed]);
      expect(now.allowed).toBe(false);
      if (!now.allowed) expect(now.retryAfterMs).toBe(100);
      expect(now.states[0]?.resetMs).toBe(60_000);
      clock.advance(100);
      expect((await store.decide([relaxed])).allowed).toBe(true);
      await store.close();
    });

    test("reports time until full and per-limit retry", async () => {
      const clock = new ManualClock();
      const store = await make(clock);
      const l = lim({ key: "{e}:all", limit: 600, windowMs: 60_000 });
      const d = await store.decide([l]);
      expect(d.states[0]).toMatchObject({ remaining: 599, resetMs: 100, retryAfterMs: 0 });
      await store.close();
    });
  });
}

/** A ready Redis store on the real clock whose keys start with `prefix`. */
async function prefixedStore(prefix: string) {
  const store = createRedisStore({
    url: redis.url,
    commandTimeoutMs: 500,
    logger: silentLogger,
    keyPrefix: prefix,
  });
  expect(await store.waitUntilReady(2000)).toBe(true);
  return store;
}

describe("redis store keys", () => {
  test("keys expire on their own and nothing is written on rejection", async () => {
    const store = await prefixedStore("exp:");
    const l = lim({ key: "{x}:all", limit: 2, windowMs: 60_000 });
    await store.decide([l]);
    const pttl = Number(await redis.cli("PTTL", "exp:{x}:all"));
    expect(pttl).toBeGreaterThan(29_000);
    expect(pttl).toBeLessThanOrEqual(30_000);
    await store.decide([l]);
    const before = await redis.cli("GET", "exp:{x}:all");
    expect((await store.decide([l])).allowed).toBe(false);
    expect(await redis.cli("GET", "exp:{x}:all")).toBe(before);
    await store.close();
  });

  test("a refund that empties a bucket deletes its key; one that does not keeps a matching TTL", async () => {
    const store = await prefixedStore("ref:");
    const l = lim({ key: "{y}:all", limit: 2, windowMs: 60_000 });
    await store.decide([l]);
    await store.decide([l]);
    await store.refund([l]);
    const pttl = Number(await redis.cli("PTTL", "ref:{y}:all"));
    expect(pttl).toBeGreaterThan(29_000);
    expect(pttl).toBeLessThanOrEqual(30_000);
    await store.refund([l]);
    expect(await redis.cli("EXISTS", "ref:{y}:all")).toBe("0");
    await store.close();
  });

  test("keys of one decision must share a hash tag", async () => {
    const store = createRedisStore({ url: redis.url, commandTimeoutMs: 500, logger: silentLogger });
    expect(await store.waitUntilReady(2000)).toBe(true);
    await expect(store.decide([lim({ key: "{a}:x" }), lim({ key: "{b}:y" })])).rejects.toThrow(
      TypeError,
    );
    await store.close();
  });
});
