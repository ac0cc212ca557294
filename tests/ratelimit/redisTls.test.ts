/**
 * `rediss://` with Bun's client against a real TLS redis-server: the
 * certificate is verified (a self-signed server is never ready), and a CA
 * trusted through NODE_EXTRA_CA_CERTS is accepted.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { connectRateLimitRedis } from "../../src/ratelimit/bunRedisConnection.ts";
import { silentLogger } from "../../src/telemetry/logger.ts";
import { freePort } from "../support/redis.ts";

let dir: string;
let server: Subprocess;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "redis-tls-"));
  const openssl = Bun.spawnSync([
    "openssl",
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
    "-keyout",
    join(dir, "key.pem"),
    "-out",
    join(dir, "cert.pem"),
  ]);
  if (openssl.exitCode !== 0) throw new Error("openssl could not make a test certificate");
  port = freePort();
  server = Bun.spawn(
    [
      "redis-server",
      "--port",
      "0",
      "--tls-port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--tls-cert-file",
      join(dir, "cert.pem"),
      "--tls-key-file",
      join(dir, "key.pem"),
      "--tls-auth-clients",
      "no",
      "--save",
      "",
      "--appendonly",
      "no",
    ],
    { stdout: "ignore", stderr: "ignore" },
  );
  // Bounded wait until the TLS port accepts connections.
  for (let i = 0; i < 200; i++) {
    const open = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } }).then(
      (s) => {
        s.end();
        return true;
      },
      () => false,
    );
    if (open) return;
    await Bun.sleep(10);
  }
  throw new Error("TLS redis-server did not start");
});

afterAll(async () => {
  server.kill();
  await server.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe("rediss://", () => {
  test("an untrusted certificate is refused: never ready", async () => {
    const conn = connectRateLimitRedis({
      url: `rediss://127.0.0.1:${port}`,
      commandTimeoutMs: 100,
      logger: silentLogger,
    });
    try {
      expect(await conn.whenReady(500)).toBe(false);
      await expect(conn.send("PING", [])).rejects.toThrow();
    } finally {
      conn.close();
    }
  });

  test("a CA trusted through NODE_EXTRA_CA_CERTS is accepted", async () => {
    const module = join(import.meta.dir, "../../src/ratelimit/bunRedisConnection.ts");
    const script = `
      const { connectRateLimitRedis } = await import(${JSON.stringify(module)});
      const logger = { info() {}, warn() {}, error() {}, debug() {} };
      const conn = connectRateLimitRedis({ url: "rediss://127.0.0.1:${port}", commandTimeoutMs: 100, logger });
      const ready = await conn.whenReady(3000);
      console.log(ready ? await conn.send("PING", []) : "not ready");
      conn.close();
    `;
    const child = Bun.spawn([process.execPath, "-e", script], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, "cert.pem") },
      stdout: "pipe",
      stderr: "pipe",
    });
    const out = await new Response(child.stdout).text();
    await child.exited;
    expect(out.trim()).toBe("PONG");
  });
});
