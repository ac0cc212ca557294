/**
 * The Redis connection for rate limiting, on Bun's native client
 * (`Bun.RedisClient`: written in Zig, auto-pipelining, about 40 % less client
 * CPU per check than ioredis here). Configured to fail fast instead of hanging:
 * no offline queue, so a command while disconnected rejects at once.
 *
 * Bun's own reconnect is off: it gives up after `maxRetries` and has no
 * jitter. Instead every connection is a fresh `RedisClient`, opened after a
 * jittered backoff, so a fleet does not reconnect in lockstep and nothing
 * unanswered can ever be resent on a new socket (a resent script would consume
 * budget for a request that was already refused). Closing a client rejects
 * its in-flight commands at once (checked in tests/ratelimit/bunRedisConnection.test.ts).
 * @module
 */
// A type import; the class is read from `Bun` when a connection opens (a value import
// is bound when the binary loads).
import type { RedisClient } from "bun";
import { withinMs } from "../clock/index.ts";
import type { Logger } from "../telemetry/logger.ts";

/** Options of {@link connectRateLimitRedis}. */
export interface RateLimitRedisOptions {
  /** `redis://` or `rediss://` (TLS, verified against the system CAs and `NODE_EXTRA_CA_CERTS`). */
  url: string;
  /** Overrides a password in `url` (`REDIS_PASSWORD`). */
  password?: string | undefined;
  commandTimeoutMs: number;
  logger: Logger;
  /** Backoff before reconnect attempt `n` (default {@link reconnectDelay}). */
  reconnectDelay?: (attempt: number) => number;
}

/** Failed attempts in a row after which one line hints at credentials and TLS. */
const HINT_AFTER_FAILURES = 5;

/** Where the connection is: `reconnecting` waits out the backoff before a new attempt. */
export type ConnectionStatus = "connecting" | "ready" | "reconnecting" | "closed";

/** One self-healing connection. */
export interface RateLimitConnection {
  readonly status: ConnectionStatus;
  /** Sends a command; rejects at once when not connected (no offline queue). */
  send(command: string, args: string[]): Promise<unknown>;
  /** Drops the socket (rejecting what is in flight) and reconnects after the backoff. */
  drop(): void;
  /**
   * The server did real work (a decision): the reconnect backoff starts over. An
   * answered PING does not reset it: a server that answers PING but stalls scripts
   * (`CLIENT PAUSE … WRITE`, a failover) was reconnected every 100–200 ms.
   */
  healthy(): void;
  /** Resolves true once ready, false after `timeoutMs` or on close. */
  whenReady(timeoutMs: number): Promise<boolean>;
  /** Closes for good: in-flight commands reject, no reconnect. */
  close(): void;
}

/** Reconnect delay: exponential from 50 ms, capped at 2 s, with full jitter in [50 %, 100 %]. */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(2_000, 50 * 2 ** Math.min(attempt, 10));
  return Math.max(10, Math.round(ceiling * (0.5 + 0.5 * random())));
}

/** The URL could not be used. The message never carries the URL: it may hold a password. */
export class RedisUrlError extends TypeError {
  readonly isRedisUrlError = true;
  constructor() {
    super("REDIS_URL is not a usable redis:// or rediss:// URL");
    this.name = "RedisUrlError";
  }
}

/** True when `e` is a {@link RedisUrlError}. */
export const isRedisUrlError = (e: unknown): e is RedisUrlError =>
  e instanceof Error && "isRedisUrlError" in e;

/** `url` with `password` (percent-encoded) in place of any password it carries. */
export function withPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisUrlError();
  }
  parsed.password = encodeURIComponent(password);
  return parsed.href;
}

/**
 * Opens the connection in the background; it keeps reconnecting until closed.
 * Throws {@link RedisUrlError} at once when the URL cannot be used.
 */
export function connectRateLimitRedis(options: RateLimitRedisOptions): RateLimitConnection {
  const url = withPassword(options.url, options.password);
  const delay = options.reconnectDelay ?? reconnectDelay;
  const clientOptions = {
    autoReconnect: false,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    connectionTimeout: Math.max(1_000, options.commandTimeoutMs * 5),
  };
  let client: RedisClient | undefined;
  let status: ConnectionStatus = "connecting";
  let attempt = 0;
  /** Failed attempts since the last ready: the hint is logged once per outage. */
  let failedInARow = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let waiters: Array<() => void> = [];
  let lastLogged = "";

  const transition = (state: "ready" | "disconnected", fields: Record<string, unknown> = {}) => {
    if (state === lastLogged) return; // one line per transition, not per failed attempt
    lastLogged = state;
    const log = state === "ready" ? options.logger.info : options.logger.warn;
    log("rate-limit store connection", { state, ...fields });
  };

  const open = () => {
    retryTimer = undefined;
    if (status === "closed") return;
    status = "connecting";
    let candidate: RedisClient;
    try {
      candidate = new Bun.RedisClient(url, clientOptions);
    } catch {
      throw new RedisUrlError(); // Bun validates the URL up front, so only the first open() can throw
    }
    client = candidate;
    candidate.onclose = (error) => lost(candidate, error);
    // Ready once a command has answered, not when the socket opens: a connection the
    // server drops right after (a database index it refuses, an ACL without SELECT)
    // would otherwise reset the backoff and reconnect every few milliseconds.
    candidate
      .connect()
      .then(() =>
        // A server that goes silent after the handshake must not leave us "connecting" forever.
        withinMs(candidate.send("PING", []), options.commandTimeoutMs, () =>
          Object.assign(new Error("no answer to PING"), { code: "ERR_PING_TIMEOUT" }),
        ),
      )
      .then(
        () => {
          if (client !== candidate) return;
          failedInARow = 0;
          status = "ready";
          transition("ready");
          const ready = waiters;
          waiters = [];
          for (const wake of ready) wake();
        },
        (error: unknown) => lost(candidate, error),
      );
  };

  /** The client's socket is gone (refused, timed out, closed by either side): back off, retry. */
  const lost = (gone: RedisClient, error: unknown) => {
    if (client !== gone) return; // a stale client reporting twice (onclose and connect())
    client = undefined;
    gone.onclose = null;
    gone.close();
    if (status === "closed") return;
    status = "reconnecting";
    // Only the code: Bun's messages carry no host today, but nothing guarantees it.
    const code = (error as { code?: unknown } | undefined)?.code;
    transition("disconnected", { error_code: typeof code === "string" ? code : "unknown" });
    if (++failedInARow === HINT_AFTER_FAILURES) {
      // Bun's client reports a refused AUTH exactly like a refused port ("Connection closed"),
      // so a password rotated on the server looks like an outage: say what else it may be.
      options.logger.warn("rate-limit store still unreachable", {
        attempts: failedInARow,
        hint: "if Redis is up, check REDIS_PASSWORD, the URL's user and database, and TLS (rediss://)",
      });
    }
    retryTimer = setTimeout(open, delay(attempt++));
  };

  open();

  return {
    get status() {
      return status;
    },
    send(command, args) {
      const current = client;
      if (status !== "ready" || current === undefined) {
        return Promise.reject(new Error("not connected"));
      }
      return current.send(command, args);
    },
    drop() {
      if (client) lost(client, { code: "ERR_DEADLINE_DROP" });
    },
    healthy() {
      attempt = 0;
    },
    whenReady(timeoutMs) {
      if (status === "ready") return Promise.resolve(true);
      if (status === "closed") return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== wake);
          resolve(status === "ready");
        };
        const timer = setTimeout(wake, timeoutMs);
        waiters.push(wake);
      });
    },
    close() {
      status = "closed";
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      if (current) {
        current.onclose = null;
        current.close();
      }
      const pending = waiters;
      waiters = [];
      for (const wake of pending) wake();
    },
  };
}
