/**
 * A Redis store on a real redis-server, for tests: started, ready, and
 * registered for closing (store first, then the server) after the test.
 */
import { expect } from "bun:test";
import type { ManualClock } from "../../src/clock/index.ts";
import { createRedisStore, type RedisStore } from "../../src/ratelimit/index.ts";
import { silentLogger } from "../../src/telemetry/logger.ts";
import { startRedis, type TestRedis } from "../support/redis.ts";

/** Starts (or reuses) a redis-server and a ready store on it; `cleanup` gets the teardown. */
export async function storeOnRedis(
  cleanup: Array<() => Promise<void>>,
  commandTimeoutMs: number,
  existing?: TestRedis,
): Promise<{ redis: TestRedis; store: RedisStore }> {
  const redis = existing ?? (await startRedis());
  const store = createRedisStore({ url: redis.url, commandTimeoutMs, logger: silentLogger });
  cleanup.push(async () => {
    await store.close();
    await redis.stop();
  });
  expect(await store.waitUntilReady(3000)).toBe(true);
  return { redis, store };
}

/** A ready store on `redis` whose own clock and Redis's script clock are both `clock`. */
export async function clockedStore(
  redis: TestRedis,
  clock: ManualClock,
  keyPrefix: string,
): Promise<RedisStore> {
  const store = createRedisStore({
    url: redis.url,
    commandTimeoutMs: 500,
    logger: silentLogger,
    clock,
    scriptClock: clock,
    keyPrefix,
  });
  expect(await store.waitUntilReady(2000)).toBe(true);
  return store;
}
