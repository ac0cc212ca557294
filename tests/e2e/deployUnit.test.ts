/**
 * The VPS procedure of docs/deploy.md, as systemd would run it: the unit's
 * `ExecStartPre` commands in order, then its `ExecStart`, from a fresh working
 * directory, with an env file made from `.env.example` plus the required
 * secrets. The env file says `ENVIRONMENT=development` (a copy someone forgot to
 * edit): the unit's pinned flag must still make it a production server.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hash } from "@node-rs/argon2";
import { startRedis, type TestRedis } from "../support/redis.ts";
import { compiledBinary } from "./support/binary.ts";
import { baseEnv, freePort, runBinary } from "./support/process.ts";

const ROOT = join(import.meta.dir, "../..");
const INSTALLED = "/opt/trading-server/trading-server";
const REDIS_PASSWORD = randomBytes(24).toString("base64url");
let redis: TestRedis;

beforeAll(async () => {
  redis = await startRedis();
  await redis.cli("CONFIG", "SET", "requirepass", REDIS_PASSWORD);
});
afterAll(async () => {
  await redis.stop();
});

/** `KEY=value` lines of a systemd unit's [Service] section, in order, for `key`. */
async function unitLines(key: string): Promise<string[][]> {
  const text = await Bun.file(join(ROOT, "deploy/trading-server.service")).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1).split(" "));
}

/** The variables `.env.example` sets, as an env file made from it would. */
async function exampleEnv(): Promise<Record<string, string>> {
  const text = await Bun.file(join(ROOT, ".env.example")).text();
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1] as string] = m[2] as string;
  }
  return env;
}

test("the unit's commands, in order, start a production server from a copy of .env.example", async () => {
  const password = randomBytes(18).toString("base64url");
  const port = freePort();
  const env = baseEnv({
    ...(await exampleEnv()),
    ENVIRONMENT: "development",
    SECURITY_SECRET_KEY: randomBytes(48).toString("base64url"),
    ADMIN_USERNAME: "desk-operator",
    ADMIN_PASSWORD_HASH: await hash(password, { algorithm: 2, memoryCost: 19456, timeCost: 2 }),
    REDIS_URL: redis.url,
    REDIS_PASSWORD,
    HOST: "127.0.0.1",
    PORT: String(port),
  });
  const cwd = mkdtempSync(join(tmpdir(), "ts-unit-")); // WorkingDirectory=, empty on a fresh host
  const pre = await unitLines("ExecStartPre");
  expect(pre.map((argv) => argv.slice(1, 2)[0])).toEqual(["check", "migrate"]);
  for (const [binary, ...args] of pre) {
    expect(binary).toBe(INSTALLED);
    const result = await runBinary(args, env, { cwd });
    expect({
      args,
      code: result.code,
      stderr: result.code === 0 ? "" : result.stderr + result.stdout,
    }).toEqual({
      args,
      code: 0,
      stderr: "",
    });
  }
  const [start] = await unitLines("ExecStart");
  expect(start?.[0]).toBe(INSTALLED);
  const proc = Bun.spawn([await compiledBinary(), ...(start?.slice(1) ?? [])], {
    cwd,
    env,
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  const logs = new Response(proc.stderr).text();
  try {
    let ready = 0;
    for (let i = 0; i < 300 && ready !== 200 && proc.exitCode === null; i++) {
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (ready !== 200) await Bun.sleep(50);
    }
    expect(ready).toBe(200);
    // Production, not the file's development: HSTS is sent, the admin can log in.
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.headers.get("strict-transport-security")).not.toBeNull();
    const login = await fetch(`http://127.0.0.1:${port}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "desk-operator", password }),
    });
    expect(login.status).toBe(200);
  } finally {
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  }
  expect(await logs).toContain('"environment":"production"');
});
