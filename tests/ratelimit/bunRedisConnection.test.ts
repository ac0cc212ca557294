/**
 * The Bun-native connection against a real redis-server: fail fast while
 * down, reconnect with the injected backoff, never resend what was in flight,
 * REDIS_PASSWORD over the URL's, and one log line per transition without the
 * host or the password.
 */
import { afterEach, describe, expect, test } from "bun:test";
import {
  connectRateLimitRedis,
  isRedisUrlError,
  type RateLimitConnection,
  withPassword,
} from "../../src/ratelimit/bunRedisConnection.ts";
import { createLogger, silentLogger } from "../../src/telemetry/logger.ts";
import { startRedis, type TestRedis } from "../support/redis.ts";

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function setup(
  options: { password?: string; url?: (r: TestRedis) => string; delays?: number[] } = {},
): Promise<{ redis: TestRedis; conn: RateLimitConnection; lines: string[] }> {
  const redis = await startRedis();
  const lines: string[] = [];
  const conn = connectRateLimitRedis({
    url: options.url ? options.url(redis) : redis.url,
    password: options.password,
    commandTimeoutMs: 100,
    logger: createLogger("info", (line) => lines.push(line)),
    reconnectDelay: (attempt) => {
      options.delays?.push(attempt);
      return 10;
    },
  });
  cleanup.push(async () => {
    conn.close();
    await redis.stop();
  });
  return { redis, conn, lines };
}

describe("Bun redis connection", () => {
  test("killed: in-flight commands reject at once, new ones too; restart reconnects", async () => {
    const delays: number[] = [];
    const { redis, conn, lines } = await setup({ delays });
    expect(await conn.whenReady(3000)).toBe(true);
    redis.pause(); // the command below stays unanswered until the kill
    const inFlight = conn.send("INCR", ["x"]);
    const rejected = inFlight.then(
      () => "answered",
      () => "rejected",
    );
    await Bun.sleep(20);
    const killedAt = performance.now();
    await redis.kill();
    expect(await rejected).toBe("rejected");
    expect(performance.now() - killedAt).toBeLessThan(100);
    const started = performance.now();
    await expect(conn.send("PING", [])).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(5);
    expect(conn.status).not.toBe("ready");
    await redis.restart();
    expect(await conn.whenReady(3000)).toBe(true);
    expect(await conn.send("PING", [])).toBe("PONG");
    expect(delays.length).toBeGreaterThan(0); // our backoff, not Bun's
    expect(delays[0]).toBe(0);
    const transitions = lines
      .map((l) => JSON.parse(l))
      .filter((r) => r.msg === "rate-limit store connection")
      .map((r) => r.state);
    expect(transitions).toEqual(["ready", "disconnected", "ready"]);
    expect(lines.join("\n")).not.toContain(String(redis.port));
  });

  test("dropped while a command is unanswered: it rejects and is never resent", async () => {
    const { redis, conn } = await setup();
    expect(await conn.whenReady(3000)).toBe(true);
    await redis.cli("SET", "n", "0");
    redis.pause();
    const inFlight = conn.send("INCR", ["n"]).then(
      () => "answered",
      () => "rejected",
    );
    await Bun.sleep(20);
    conn.drop();
    expect(await inFlight).toBe("rejected");
    redis.resume();
    expect(await conn.whenReady(3000)).toBe(true);
    expect(await conn.send("PING", [])).toBe("PONG");
    // The bytes already sent may have run once when the server resumed (ghost
    // consumption, documented); a resend would make it 2.
    expect(Number(await redis.cli("GET", "n"))).toBeLessThanOrEqual(1);
  });

  test("drops back off until the server does real work: an answered PING is not enough", async () => {
    const delays: number[] = [];
    const { conn } = await setup({ delays });
    expect(await conn.whenReady(3000)).toBe(true);
    for (let i = 0; i < 3; i++) {
      conn.drop(); // what the store does when scripts stall while PING answers
      expect(await conn.whenReady(3000)).toBe(true);
    }
    expect(delays).toEqual([0, 1, 2]);
    conn.healthy();
    conn.drop();
    expect(await conn.whenReady(3000)).toBe(true);
    expect(delays).toEqual([0, 1, 2, 0]);
  });

  test("REDIS_PASSWORD overrides the URL's password, percent-encoded", async () => {
    const password = "p@ss:w/rd%20 é#?";
    const { redis, conn } = await setup({
      password,
      url: (r) => `redis://:wrong@127.0.0.1:${r.port}`,
    });
    // Set after start: the helper's readiness PING needs no password.
    await redis.cli("CONFIG", "SET", "requirepass", password);
    conn.drop(); // reconnect, now authenticating
    expect(await conn.whenReady(3000)).toBe(true);
    expect(await conn.send("PING", [])).toBe("PONG");
    expect(withPassword("redis://u:old@h:1/0", "n3w")).toBe("redis://u:n3w@h:1/0");
    expect(withPassword("redis://h:1", undefined)).toBe("redis://h:1");
  });

  test("a wrong password never becomes ready and fails fast", async () => {
    const { redis, conn, lines } = await setup({ password: "wrong" });
    await redis.cli("CONFIG", "SET", "requirepass", "right");
    conn.drop();
    expect(await conn.whenReady(300)).toBe(false);
    await expect(conn.send("PING", [])).rejects.toThrow();
    // Bun reports the refused AUTH as a closed connection: after five failures, one hint.
    const hints = lines.map((l) => JSON.parse(l)).filter((r) => r.msg.includes("unreachable"));
    expect(hints).toHaveLength(1);
    expect(hints[0].hint).toContain("REDIS_PASSWORD");
    expect(lines.join("\n")).not.toContain("wrong");
  });

  test("close() is final: no reconnect, waiters released", async () => {
    const redis = await startRedis();
    cleanup.push(() => redis.stop());
    const conn = connectRateLimitRedis({
      url: redis.url,
      commandTimeoutMs: 100,
      logger: silentLogger,
    });
    expect(await conn.whenReady(3000)).toBe(true);
    conn.close();
    expect(conn.status).toBe("closed");
    expect(await conn.whenReady(1000)).toBe(false);
    await expect(conn.send("PING", [])).rejects.toThrow();
    await Bun.sleep(50);
    expect(conn.status).toBe("closed");
  });
});

describe("unusable URLs", () => {
  test("fail at once, without echoing the URL (it may carry a password)", () => {
    for (const url of ["not a url", "http://:hunter2@127.0.0.1:1"]) {
      let error: unknown;
      try {
        connectRateLimitRedis({ url, password: "pw", commandTimeoutMs: 100, logger: silentLogger });
      } catch (e) {
        error = e;
      }
      expect(isRedisUrlError(error)).toBe(true);
      expect(String(error)).not.toContain("hunter2");
      expect(String(error)).not.toContain("not a url");
    }
  });
});
