import { describe, expect, test } from "bun:test";
import { connectRateLimitRedis, reconnectDelay } from "../../src/ratelimit/bunRedisConnection.ts";
import {
  createMemoryStore,
  createRedisStore,
  probeRateLimitStore,
} from "../../src/ratelimit/index.ts";
import { createLogger, silentLogger } from "../../src/telemetry/logger.ts";
import { startRedis } from "../support/redis.ts";

describe("redis client", () => {
  test("reconnect backoff is exponential, capped at 2 s, and jittered within [50 %, 100 %]", () => {
    expect(reconnectDelay(0, () => 1)).toBe(50);
    expect(reconnectDelay(0, () => 0)).toBe(25);
    expect(reconnectDelay(3, () => 1)).toBe(400);
    expect(reconnectDelay(30, () => 1)).toBe(2000);
    expect(reconnectDelay(30, () => 0)).toBe(1000);
    const spread = new Set(Array.from({ length: 50 }, () => reconnectDelay(6)));
    expect(spread.size).toBeGreaterThan(1);
  });

  test("probe() reports ready, then unavailable while Redis is down, then ready again", async () => {
    const redis = await startRedis();
    const store = createRedisStore({ url: redis.url, commandTimeoutMs: 100, logger: silentLogger });
    try {
      expect(await store.waitUntilReady(3000)).toBe(true);
      expect(await store.probe()).toEqual({ kind: "redis", state: "ready" });
      expect(await probeRateLimitStore(store)).toEqual({ ok: true, state: "ready" });
      redis.pause();
      expect(await probeRateLimitStore(store)).toEqual({ ok: false, state: "unavailable" });
      redis.resume();
      await redis.kill();
      expect((await store.probe()).state).not.toBe("ready");
      await redis.restart();
      expect(await store.waitUntilReady(5000)).toBe(true);
      expect(await store.probe()).toEqual({ kind: "redis", state: "ready" });
    } finally {
      await store.close();
      await redis.stop();
    }
    expect(store.health().state).toBe("unavailable");
  });

  test("probe() is a real decision: a Redis that answers PING but cannot write is not ready", async () => {
    const redis = await startRedis();
    const store = createRedisStore({ url: redis.url, commandTimeoutMs: 200, logger: silentLogger });
    try {
      expect(await store.waitUntilReady(3000)).toBe(true);
      expect(await store.probe()).toEqual({ kind: "redis", state: "ready" });
      await redis.cli("CONFIG", "SET", "maxmemory", "1"); // noeviction: every write is OOM
      expect(await redis.cli("PING")).toBe("PONG");
      expect(await probeRateLimitStore(store)).toEqual({ ok: false, state: "unavailable" });
      // Still unavailable on the next look: nothing but a decision ends the outage.
      expect((await store.probe()).state).toBe("unavailable");
      await redis.cli("CONFIG", "SET", "maxmemory", "0");
      expect(await store.probe()).toEqual({ kind: "redis", state: "ready" });
    } finally {
      await store.close();
      await redis.stop();
    }
  });

  test("a connection the server drops at once (a refused database index) backs off, it does not spin", async () => {
    const redis = await startRedis();
    const lines: string[] = [];
    const store = createRedisStore({
      url: `${redis.url}/16`, // redis-server has databases 0-15: SELECT 16 fails
      commandTimeoutMs: 200,
      logger: createLogger("info", (line) => lines.push(line)),
    });
    try {
      const connections = async () =>
        Number(/total_connections_received:(\d+)/.exec(await redis.cli("INFO", "stats"))?.[1]);
      const before = await connections();
      expect(await store.waitUntilReady(1_500)).toBe(false);
      // Backoff from 25-50 ms doubling: a handful of attempts in 1.5 s, not one every few ms.
      expect((await connections()) - before).toBeLessThanOrEqual(8);
      expect(lines.filter((l) => l.includes('"state":"ready"'))).toHaveLength(0);
    } finally {
      await store.close();
      await redis.stop();
    }
  });

  test("the development store is ready until closed", async () => {
    const store = createMemoryStore();
    expect(await probeRateLimitStore(store)).toEqual({ ok: true, state: "ready" });
    await store.close();
    expect(await probeRateLimitStore(store)).toEqual({ ok: false, state: "unavailable" });
  });
});

describe("store logs", () => {
  test("one line when an outage starts and one when it ends, without connection details", async () => {
    const lines: string[] = [];
    const logger = createLogger("info", (line) => lines.push(line));
    const redis = await startRedis();
    const store = createRedisStore({
      url: redis.url,
      password: "s3cret-pw",
      commandTimeoutMs: 100,
      logger,
    });
    try {
      expect(await store.waitUntilReady(3000)).toBe(true);
      const spec = { name: "ip", key: "{log}:all", limit: 100, windowMs: 60_000 };
      await redis.cli("CONFIG", "SET", "maxmemory-policy", "noeviction");
      await redis.cli("CONFIG", "SET", "maxmemory", "1");
      for (let i = 0; i < 5; i++) await expect(store.decide([spec])).rejects.toThrow("unavailable");
      await redis.cli("CONFIG", "SET", "maxmemory", "0");
      expect((await store.decide([spec])).allowed).toBe(true);
    } finally {
      await store.close();
      await redis.stop();
    }
    const failing = lines.filter((l) => l.includes("store failing"));
    const back = lines.filter((l) => l.includes("answering again"));
    expect(failing).toHaveLength(1);
    expect(failing[0]).toContain('"reason":"script_error"');
    expect(back).toHaveLength(1);
    expect(back[0]).toContain('"failed_decisions":5');
    expect(lines.join("\n")).not.toContain("s3cret-pw");
    expect(lines.join("\n")).not.toContain(String(redis.port));
  });
});

test("a server that goes silent after the handshake is left and retried, not waited on forever", async () => {
  let connections = 0;
  const server = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open() {
        connections++;
      },
      data(socket, data) {
        // Answers the handshake, then nothing: a partition right after connecting.
        if (/HELLO/i.test(data.toString())) socket.write("%1\r\n+server\r\n+redis\r\n");
      },
    },
  });
  const conn = connectRateLimitRedis({
    url: `redis://127.0.0.1:${server.port}`,
    commandTimeoutMs: 100,
    logger: silentLogger,
    reconnectDelay: () => 50,
  });
  try {
    await Bun.sleep(600);
    expect(conn.status).not.toBe("ready");
    expect(connections).toBeGreaterThan(1); // the silent connection was dropped and retried
  } finally {
    conn.close();
    server.stop(true);
  }
});
