/**
 * A production-mode binary on a real Redis: refuses a stale schema, serves
 * after `migrate`, and fails closed when Redis dies — only 503
 * `rate_limiter_unavailable`, never a 2xx — then recovers on its own.
 */

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { keyId } from "../../src/auth/tokens/index.ts";
import type { TestRedis } from "../support/redis.ts";
import { runBinary, type ServerProcess, startServer } from "./support/process.ts";
import { argon2id, startProductionFixture } from "./support/productionEnv.ts";

let adminPassword: string;
let redis: TestRedis;
let server: ServerProcess | undefined;
let env: Record<string, string>;
let protect: (r: TestRedis) => Promise<void>;

beforeAll(async () => {
  const fixture = await startProductionFixture("ts-prod-");
  ({ env, redis, protect, adminPassword } = fixture);
});

afterAll(async () => {
  if (server && server.proc.exitCode === null) server.proc.kill("SIGKILL");
  await redis.stop();
});

async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "desk-operator", password: adminPassword }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

describe("production binary", () => {
  test("refuses to start before migrations, starts after `migrate`", async () => {
    const early = await runBinary(["serve"], { ...env, PORT: "0" });
    expect(early.code).toBe(1);
    expect(early.stderr).toContain("trading-server migrate");
    // Only `migrate` creates the database: the refused start left no empty file behind.
    expect(early.stderr).toContain("no SQLite database at");
    expect(existsSync((env.DATABASE_URL as string).slice("sqlite://".length))).toBe(false);
    const migrated = await runBinary(["migrate"], env);
    expect(migrated.code).toBe(0);
    server = await startServer(env);
    // Healthy is not ready: /readyz also needs the rate-limit store.
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
  });

  test("silencing a finding does not waive the key, Redis, the admin hash or the ban on ADMIN_PASSWORD", async () => {
    const { SECURITY_SECRET_KEY: _key, ...keyless } = env;
    const noKey = await runBinary(["serve"], {
      ...keyless,
      PORT: "0",
      SECURITY_CHECK_SILENCE: "secret.001",
    });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain("SECURITY_SECRET_KEY is required in production");
    const plain = await runBinary(["serve"], {
      ...env,
      PORT: "0",
      ADMIN_PASSWORD: "a-plain-password-in-env",
      SECURITY_CHECK_SILENCE: "admin.001",
    });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain("ADMIN_PASSWORD is forbidden in production");
    expect(plain.stderr).not.toContain("a-plain-password-in-env");
    // Refused with the other hard rules, before the bind: not a start-up failure after it.
    const { REDIS_URL: _redis, ...redisless } = env;
    const noRedis = await runBinary(["serve"], {
      ...redisless,
      PORT: "0",
      SECURITY_CHECK_SILENCE: "env.002",
    });
    expect(noRedis.code).toBe(1);
    expect(noRedis.stderr).toContain("serve: REDIS_URL is required outside development");
    expect(noRedis.stderr).not.toContain("start-up failed");
    const { ADMIN_PASSWORD_HASH: _hash, ...hashless } = env;
    for (const [variables, refusal] of [
      [hashless, "serve: ADMIN_PASSWORD_HASH is required in production"],
      [{ ...env, ADMIN_PASSWORD_HASH: "$argon2id$nonsense" }, "serve: ADMIN_PASSWORD_HASH is not"],
      // A spec-valid m of 4 TiB: every login attempt, anyone's, would allocate it.
      [
        {
          ...env,
          ADMIN_PASSWORD_HASH:
            "$argon2id$v=19$m=4294967295,t=2,p=1$6IrSAmp5BnkG5qy0n5wcTg$H/kEbv4L6N2cTEUsEBTDXFcJnENRlSUP3cUKH9QXM9w",
        },
        "serve: ADMIN_PASSWORD_HASH costs more than the server verifies",
      ],
    ] as const) {
      const refused = await runBinary(["serve"], {
        ...variables,
        PORT: "0",
        SECURITY_CHECK_SILENCE: "admin.002,admin.008",
      });
      expect([refused.code, refused.stderr.includes(refusal)]).toEqual([1, true]);
      expect(refused.stderr).not.toContain("start-up failed");
    }
  });

  test("serves with rate-limit headers while Redis is up", async () => {
    const live = server as ServerProcess;
    const token = await login(live.url);
    const res = await fetch(`${live.url}/v1/market/quotes/AAPL`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("ratelimit-policy")).toContain('"user";q=600;w=60');
  });

  test("Redis killed: only 503 rate_limiter_unavailable, promptly; then recovery without a restart", async () => {
    const live = server as ServerProcess;
    const token = await login(live.url);
    const quote = () =>
      fetch(`${live.url}/v1/market/quotes/AAPL`, { headers: { authorization: `Bearer ${token}` } });

    await redis.kill();
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const started = performance.now();
      const res = await quote();
      const elapsed = performance.now() - started;
      statuses.push(res.status);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: { code: string } };
      expect(body.error.code).toBe("rate_limiter_unavailable");
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      // REDIS_COMMAND_TIMEOUT (100 ms) plus a margin; a refused connection is much faster.
      expect(elapsed).toBeLessThan(400);
    }
    expect(statuses.every((s) => s === 503)).toBe(true);
    // Anonymous routes under /v1 are limited too, and fail the same way.
    const anonymous = await fetch(`${live.url}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "x", password: "y" }),
    });
    expect(anonymous.status).toBe(503);
    expect((await fetch(`${live.url}/readyz`)).status).toBe(503);

    await redis.restart();
    await protect(redis);
    const deadline = Date.now() + 15_000;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      const res = await quote();
      recovered = res.status === 200;
      if (!recovered) {
        expect(res.status).toBe(503);
        await Bun.sleep(100);
      }
    }
    expect(recovered).toBe(true);
    expect((await fetch(`${live.url}/readyz`)).status).toBe(200);
  });

  test("stops cleanly on SIGTERM, leaving sys_shutdown and a valid chain", async () => {
    expect(await (server as ServerProcess).stop()).toBe(0);
    const db = new Database(env.DATABASE_URL?.replace("sqlite://", "") as string, {
      readonly: true,
    });
    try {
      const rows = db
        .query<{ seq: number }, []>("SELECT seq FROM audit_events WHERE type = 'sys_shutdown'")
        .all();
      expect(rows).toHaveLength(1);
      // Each run names its machine and its keys by fingerprint, never by value.
      const starts = db
        .query<{ details: string }, []>(
          "SELECT details FROM audit_events WHERE type = 'sys_startup' ORDER BY seq DESC LIMIT 1",
        )
        .all();
      const details = JSON.parse(starts[0]?.details as string) as Record<string, unknown>;
      expect(details).toMatchObject({
        active_kid: keyId(env.SECURITY_SECRET_KEY as string),
        previous_kids: [],
        host: hostname(),
        pid: expect.any(Number),
      });
      expect(starts[0]?.details).not.toContain(env.SECURITY_SECRET_KEY as string);
    } finally {
      db.close();
    }
    const verified = await runBinary(["audit", "verify"], env);
    expect(verified.code).toBe(0);
  });
});

describe("break-glass", () => {
  const loginAs = (url: string, password: string) =>
    fetch(`${url}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "desk-operator", password }),
    });

  test("a new ADMIN_PASSWORD_HASH lifts the admin's lockout; the replaced one is not applied again", async () => {
    const locked = await startServer(env);
    try {
      for (let i = 0; i < 5; i++)
        expect((await loginAs(locked.url, "a wrong guess")).status).toBe(401);
      expect((await loginAs(locked.url, adminPassword)).status).toBe(429);
    } finally {
      expect(await locked.stop()).toBe(0);
    }

    const newPassword = randomBytes(18).toString("base64url");
    const reset = await startServer({ ...env, ADMIN_PASSWORD_HASH: await argon2id(newPassword) });
    try {
      expect((await loginAs(reset.url, newPassword)).status).toBe(200);
    } finally {
      expect(await reset.stop()).toBe(0);
    }

    // An instance still configured with the old hash changes nothing, and says so.
    const stale = await startServer(env);
    try {
      expect((await loginAs(stale.url, adminPassword)).status).toBe(401);
      expect((await loginAs(stale.url, newPassword)).status).toBe(200);
      expect(stale.logs()).toContain("ADMIN_PASSWORD_HASH was replaced earlier; not applied again");
    } finally {
      expect(await stale.stop()).toBe(0);
    }
  });
});
