/**
 * Chooses the store from the configuration: Redis whenever `REDIS_URL` is
 * set; the in-memory store only in development without `REDIS_URL`; anything
 * else is a configuration error, so production cannot start without Redis.
 * @module
 */
import type { Config } from "../config/index.ts";
import type { Logger } from "../telemetry/logger.ts";
import { createMemoryStore } from "./memoryStore.ts";
import type * as RedisStoreModule from "./redisStore.ts";
import type { RateLimitStore } from "./types.ts";

/** `REDIS_URL` is missing where a shared store is required. */
export class RateLimitStoreConfigError extends Error {
  readonly isRateLimitStoreConfigError = true;
  constructor() {
    super("REDIS_URL is required outside development: rate limits need a shared store");
    this.name = "RateLimitStoreConfigError";
  }
}

/** True when `e` is a {@link RateLimitStoreConfigError}. */
export const isRateLimitStoreConfigError = (e: unknown): e is RateLimitStoreConfigError =>
  e instanceof Error && "isRateLimitStoreConfigError" in e;

/** Builds the store `config` calls for. Throws {@link RateLimitStoreConfigError} when none fits. */
export function createRateLimitStore(
  config: Pick<Config, "environment" | "REDIS_URL" | "REDIS_PASSWORD" | "REDIS_COMMAND_TIMEOUT">,
  logger: Logger,
): RateLimitStore {
  if (config.REDIS_URL) {
    // Loaded only when Redis is configured: a development server on the memory
    // store should not pay for the Redis store's module graph at start-up.
    const { createRedisStore } = require("./redisStore.ts") as typeof RedisStoreModule;
    return createRedisStore({
      url: config.REDIS_URL,
      password: config.REDIS_PASSWORD,
      commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT,
      logger,
    });
  }
  if (config.environment !== "development") throw new RateLimitStoreConfigError();
  logger.warn("rate limiting uses an in-memory store (development only, per process)");
  return createMemoryStore();
}
