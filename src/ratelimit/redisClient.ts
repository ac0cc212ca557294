/**
 * The ioredis connection for rate limiting, configured to fail fast instead
 * of hanging: no offline queue, no per-command retries, no resend of
 * unanswered commands after a reconnect (a resent script would consume a
 * budget for a request that was already refused), a command timeout, and a
 * jittered reconnect backoff so a fleet does not reconnect in lockstep.
 * @module
 */
import Redis, { type RedisOptions } from "ioredis";
import type { Logger } from "../telemetry/logger.ts";

/** Options of {@link createRateLimitRedis}. */
export interface RateLimitRedisOptions {
  url: string;
  /** Overrides a password in `url` (`REDIS_PASSWORD`). */
  password?: string | undefined;
  commandTimeoutMs: number;
  logger: Logger;
}

/** Reconnect delay: exponential from 50 ms, capped at 2 s, with full jitter in [50 %, 100 %]. */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(2_000, 50 * 2 ** Math.min(attempt, 10));
  return Math.max(10, Math.round(ceiling * (0.5 + 0.5 * random())));
}

/** Creates the client; it connects in the background and keeps reconnecting. */
export function createRateLimitRedis(options: RateLimitRedisOptions): Redis {
  const redisOptions: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(1_000, options.commandTimeoutMs * 5),
    // RESP2: the script returns a flat integer array either way; HELLO 3 would be one
    // more round trip and one more moving part on every (re)connect.
    protocol: 2,
    enableReadyCheck: true,
    connectionName: "trading-server:ratelimit",
    disableClientInfo: true,
    retryStrategy: (attempt) => reconnectDelay(attempt),
  };
  if (options.password !== undefined) redisOptions.password = options.password;
  const redis = new Redis(options.url, redisOptions);
  let lastState = "";
  const transition = (state: string, fields: Record<string, unknown> = {}) => {
    if (state === lastState) return; // one line per transition, not per retry
    lastState = state;
    const log = state === "ready" ? options.logger.info : options.logger.warn;
    log("rate-limit store connection", { state, ...fields });
  };
  redis.on("ready", () => transition("ready"));
  redis.on("close", () => transition("closed"));
  // Without a listener ioredis would report every failed reconnect as unhandled.
  // Only the error code is logged: messages can carry the host.
  redis.on("error", (err: Error & { code?: string }) =>
    transition("error", { error_code: err.code ?? err.name }),
  );
  return redis;
}
