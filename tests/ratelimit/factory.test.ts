import { describe, expect, test } from "bun:test";
import { createRateLimitStore, isRateLimitStoreConfigError } from "../../src/ratelimit/index.ts";
import { silentLogger } from "../../src/telemetry/logger.ts";

const base = { REDIS_PASSWORD: undefined, REDIS_COMMAND_TIMEOUT: 100 };

describe("createRateLimitStore", () => {
  test("outside development, no REDIS_URL is a configuration error (no in-memory fallback)", () => {
    for (const environment of ["staging", "production"] as const) {
      let error: unknown;
      try {
        createRateLimitStore({ ...base, environment, REDIS_URL: undefined }, silentLogger);
      } catch (e) {
        error = e;
      }
      expect(isRateLimitStoreConfigError(error)).toBe(true);
    }
  });

  test("development without REDIS_URL gets the memory store; a REDIS_URL always means Redis", async () => {
    const memory = createRateLimitStore(
      { ...base, environment: "development", REDIS_URL: undefined },
      silentLogger,
    );
    expect(memory.health()).toEqual({ kind: "memory", state: "ready" });
    await memory.close();
    const redis = createRateLimitStore(
      { ...base, environment: "development", REDIS_URL: "redis://127.0.0.1:1" },
      silentLogger,
    );
    expect(redis.health().kind).toBe("redis");
    expect(redis.health().state).not.toBe("ready");
    await redis.close();
  });
});
