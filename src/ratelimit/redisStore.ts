/**
 * The production store: every limit of a request decided by one GCRA script
 * on Redis (time from Redis `TIME`), behind a per-decision deadline; the
 * decisions of one event-loop turn share one script call (`decisionBatch.ts`).
 * Any failure — no connection, timeout, script or server error — rejects
 * with {@link StoreUnavailableError}; a reply read after its deadline was
 * swept is ignored, so it can never turn a refusal into an admission (one read
 * before the sweep, after our own loop was blocked, stands: `deadlines.ts`).
 * The transport is Bun's native client (`bunRedisConnection.ts`).
 * @module
 */
import { type Clock, systemClock, withinMs } from "../clock/index.ts";
import type { Logger } from "../telemetry/logger.ts";
import { BlockedKeys } from "./blockedKeys.ts";
import { connectRateLimitRedis, type RateLimitConnection } from "./bunRedisConnection.ts";
import { DeadlineQueue } from "./deadlines.ts";
import { toDecision } from "./decision.ts";
import { DecisionBatcher } from "./decisionBatch.ts";
import {
  isStoreUnavailableError,
  StoreUnavailableError,
  type StoreUnavailableReason,
} from "./errors.ts";
import script from "./gcra.lua" with { type: "text" };
import { assertValidLimit, gcraParams } from "./gcra.ts";
import { assertSameSlot, LIMITER_TAG } from "./hashTag.ts";
import { Outage } from "./outage.ts";
import refundScript from "./refund.lua" with { type: "text" };
import { replyProblem } from "./scriptReply.ts";
import type { DecideOptions, Decision, LimitSpec, RateLimitStore, StoreHealth } from "./types.ts";

const SCRIPT_SHA = new Bun.CryptoHasher("sha1").update(script).digest("hex");
/** What `/readyz` decides on: never refused, and its key expires within a second. */
const PROBE_LIMIT: LimitSpec = {
  name: "probe",
  key: `${LIMITER_TAG}:probe`,
  limit: 1_000_000,
  windowMs: 1_000,
};
const timedOut = () => new StoreUnavailableError("timeout");

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  url: string;
  password?: string | undefined;
  /** Per-command timeout and per-decision deadline (`REDIS_COMMAND_TIMEOUT`). */
  commandTimeoutMs: number;
  logger: Logger;
  /** Local clock for the blocked-key cache (only durations are taken from it). */
  clock?: Clock;
  /** Prefix of every key (default `rl:`). */
  keyPrefix?: string;
  /** Blocked keys remembered locally (default 10 000). */
  blockedKeysMax?: number;
  /**
   * Tests only: a clock whose time is passed to the script instead of Redis
   * `TIME`, for deterministic accuracy tests. Production never sets it.
   */
  scriptClock?: Clock;
}

/** The Redis store, with a probe and counters for `/readyz` and benchmarks. */
export interface RedisStore extends RateLimitStore {
  /** PINGs within the deadline; the health after the answer (or its absence). */
  probe(): Promise<StoreHealth>;
  /** Waits until connected or `timeoutMs` passed; true when ready. */
  waitUntilReady(timeoutMs: number): Promise<boolean>;
  /** Decisions answered from the blocked-key cache without Redis. */
  readonly stats: { cachedRejections: number; scriptCalls: number };
}

/** Builds the store; it connects in the background and refuses decisions until ready. */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const clock = options.clock ?? systemClock;
  const prefix = options.keyPrefix ?? "rl:";
  const deadlineMs = options.commandTimeoutMs;
  const redis: RateLimitConnection = connectRateLimitRedis(options);
  // One timer for every script call's deadline instead of one per call.
  const deadlines = new DeadlineQueue(deadlineMs, timedOut);
  const blocked = new BlockedKeys(clock, options.blockedKeysMax);
  const stats = { cachedRejections: 0, scriptCalls: 0 };
  /** When Redis last answered anything (late replies included): a slow server is not a hung one. */
  let lastHeardAt = performance.now();
  const outage = new Outage(options.logger, () => {
    // Dropping a server that answers, only too late, rejects its calls in flight and adds a
    // handshake: the outage feeds itself. Only silence for two deadlines is taken for a hang
    // (one is what a reply due just after the deadline looks like before it arrives).
    if (redis.status === "ready" && performance.now() - lastHeardAt >= 2 * deadlineMs) {
      redis.drop();
    }
  });
  const heard = <T>(reply: Promise<T>): Promise<T> => {
    reply.then(
      () => {
        lastHeardAt = performance.now();
      },
      () => {},
    );
    return reply;
  };
  let closed = false;
  const scriptClock = options.scriptClock;

  const failed = (err: unknown, serverError: StoreUnavailableReason, decisions = 1): never => {
    const error = classify(err, serverError);
    outage.failed(error, decisions);
    throw error;
  };
  const ensureUsable = (decisions = 1) => {
    if (closed) throw new StoreUnavailableError("closed");
    if (redis.status !== "ready") {
      failed(new StoreUnavailableError("not_connected"), "command_error", decisions);
    }
  };

  /**
   * A reply that decides: only then is the store answering (and the reconnect backoff over).
   * A malformed or late one fails its decisions here, counted like any other failure.
   */
  const accepted = (reply: unknown, decisions: number): unknown => {
    const problem = replyProblem(reply);
    if (problem) return failed(new StoreUnavailableError(problem), "script_error", decisions);
    outage.succeeded();
    redis.healthy();
    return reply;
  };

  /** One script call for `decisions` decisions, due `deadlineMs` after `since`. */
  const runScript = async (
    keys: string[],
    args: string[],
    decisions: number,
    since: number,
  ): Promise<unknown> => {
    ensureUsable(decisions);
    stats.scriptCalls++;
    let reply: unknown;
    try {
      // A reply after its deadline's sweep is dropped by the queue: the promise has already rejected.
      reply = await deadlines.track(
        heard(redis.send("EVALSHA", [SCRIPT_SHA, String(keys.length), ...keys, ...args])),
        since,
      );
    } catch (err) {
      // The script cache is gone after a restart, failover or SCRIPT FLUSH: one EVAL
      // reloads it. Not a store failure, unless the deadline already passed.
      if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) {
        return failed(err, "script_error", decisions);
      }
      const remaining = deadlineMs - (performance.now() - since);
      if (remaining <= 0) return failed(timedOut(), "script_error", decisions);
      try {
        const eval_ = heard(redis.send("EVAL", [script, String(keys.length), ...keys, ...args]));
        reply = await withinMs(eval_, remaining, timedOut);
      } catch (retryErr) {
        return failed(retryErr, "script_error", decisions);
      }
    }
    return accepted(reply, decisions);
  };
  const batcher = new DecisionBatcher(runScript, deadlineMs);

  /**
   * Any other command (DEL, the refund script) under the full deadline. Its
   * success does not end an outage: only a decision shows the store can decide
   * (a PING or a DEL still succeeds on a Redis out of memory or read-only).
   */
  const runCommand = async <T>(command: () => Promise<T>): Promise<T> => {
    ensureUsable();
    try {
      return await withinMs(command(), deadlineMs, timedOut);
    } catch (err) {
      return failed(err, "command_error");
    }
  };

  return {
    stats,
    async decide(limits: LimitSpec[], decideOptions: DecideOptions = {}): Promise<Decision> {
      if (limits.length === 0) return { allowed: true, states: [] };
      for (const spec of limits) assertValidLimit(spec);
      const keys = limits.map((l) => prefix + l.key);
      assertSameSlot(keys);
      const hit = blocked.find(
        keys.map((key, i) => {
          const spec = limits[i] as LimitSpec;
          return { key, cost: spec.cost ?? 1, limit: spec.limit, windowMs: spec.windowMs };
        }),
      );
      if (hit) {
        stats.cachedRejections++;
        const state = {
          name: hit.name,
          limit: hit.limit,
          windowMs: hit.windowMs,
          remaining: 0,
          resetMs: hit.resetMs,
          retryAfterMs: hit.retryAfterMs,
        };
        return {
          allowed: false,
          states: [state],
          blockedBy: hit.name,
          retryAfterMs: hit.retryAfterMs,
        };
      }
      ensureUsable(); // not connected: refused now, without waiting for the batch
      const now = scriptClock === undefined ? "" : String(Math.round(scriptClock.now() * 1000));
      const params = limits.map(gcraParams);
      const evaluation = await batcher.decide(
        { keys, params, peek: decideOptions.peek === true },
        now,
      );
      const decision = toDecision(limits, evaluation.allowed, evaluation.outcomes);
      if (!decision.allowed) {
        decision.states.forEach((state, i) => {
          const key = keys[i];
          if (!key || !state.retryAfterMs) return;
          const cost = limits[i]?.cost ?? 1;
          blocked.add(
            key,
            { cost, name: state.name, limit: state.limit, windowMs: state.windowMs },
            state.retryAfterMs,
            state.resetMs,
          );
        });
      }
      return decision;
    },
    async reset(keys: string[]): Promise<void> {
      if (keys.length === 0) return;
      const full = keys.map((k) => prefix + k);
      blocked.delete(full);
      assertSameSlot(full);
      await runCommand(() => redis.send("DEL", full));
    },
    async refund(limits: LimitSpec[]): Promise<void> {
      if (limits.length === 0) return;
      for (const spec of limits) assertValidLimit(spec);
      const keys = limits.map((l) => prefix + l.key);
      assertSameSlot(keys);
      // A key refused earlier may fit again: ask Redis next time, not the local cache.
      blocked.delete(keys);
      const now = scriptClock === undefined ? "" : String(Math.round(scriptClock.now() * 1000));
      const decrements = limits.map((l) => String(gcraParams(l).incrementUs));
      // Plain EVAL: refunds are rare (a good login), and Redis caches the compiled script.
      await runCommand(() =>
        redis.send("EVAL", [refundScript, String(keys.length), ...keys, now, ...decrements]),
      );
    },
    health(): StoreHealth {
      if (closed) return { kind: "redis", state: "unavailable" };
      if (redis.status === "ready") {
        return { kind: "redis", state: outage.failing ? "unavailable" : "ready" };
      }
      return { kind: "redis", state: redis.status === "closed" ? "unavailable" : "connecting" };
    },
    async probe(): Promise<StoreHealth> {
      try {
        // A real decision, writing a key as requests do: a Redis that answers PING but is
        // out of memory, read-only or refuses scripts must not read as ready.
        await this.decide([PROBE_LIMIT]);
      } catch {
        // health() below reports the failure.
      }
      return this.health();
    },
    async waitUntilReady(timeoutMs: number): Promise<boolean> {
      return await redis.whenReady(timeoutMs);
    },
    async close(): Promise<void> {
      closed = true;
      batcher.flush(); // what is queued fails closed at once, like what is in flight
      redis.close();
      deadlines.rejectAll(new StoreUnavailableError("closed"));
    },
  };
}

/**
 * Maps any client error to the store's one failure type: an error reply from
 * the server is `serverError`; anything else (closed socket, refused
 * connection) is `not_connected`.
 */
function classify(err: unknown, serverError: StoreUnavailableReason): StoreUnavailableError {
  if (isStoreUnavailableError(err)) return err;
  const code = (err as { code?: unknown } | null)?.code;
  return new StoreUnavailableError(
    code === "ERR_REDIS_SERVER_ERROR" ? serverError : "not_connected",
  );
}
