/**
 * Two production-mode server processes on one PostgreSQL database and one
 * password-protected Redis, sharing one signing secret: the smallest
 * multi-instance deployment (DESIGN §6, revocation across instances).
 *
 * The throwaway cluster only has a trust-auth superuser, so a dedicated
 * non-superuser role with a random password owns the database: the URL then
 * carries non-default credentials the validator accepts. The cluster's trust
 * authentication does not check that password — the validator's rule is about
 * what the deployment is configured with, and that is what this exercises.
 * @module
 */
import { randomBytes } from "node:crypto";
import { hash } from "@node-rs/argon2";
import { SQL } from "bun";
import { createTestDatabase } from "../../support/postgres.ts";
import { startRedis, type TestRedis } from "../../support/redis.ts";
import { baseEnv, runBinary, type ServerProcess, startServer } from "./process.ts";

/** A running two-instance deployment. */
export interface TwoInstances {
  a: ServerProcess;
  b: ServerProcess;
  adminUsername: string;
  adminPassword: string;
  /** Stops both servers and Redis (idempotent, bounded). */
  stop(): Promise<void>;
}

/** A role with a random password that owns the fresh database `url`; returns its URL. */
async function dedicatedRoleUrl(url: string): Promise<string> {
  const role = `trading_${randomBytes(6).toString("hex")}`;
  const password = randomBytes(24).toString("base64url");
  const database = new URL(url).pathname.slice(1);
  const admin = new SQL(url, { max: 1 });
  try {
    // Identifiers are generated hex, the password base64url: nothing to escape.
    await admin.unsafe(`CREATE ROLE "${role}" LOGIN PASSWORD '${password}'`);
    await admin.unsafe(`ALTER DATABASE "${database}" OWNER TO "${role}"`);
    await admin.unsafe(`ALTER SCHEMA public OWNER TO "${role}"`);
  } finally {
    await admin.close();
  }
  const withRole = new URL(url);
  withRole.username = role;
  withRole.password = password;
  return withRole.toString();
}

/** Waits (bounded) until `/readyz` answers 200: database and Redis both reachable. */
async function waitReady(server: ServerProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${server.url}/readyz`).catch(() => undefined);
    if (res?.status === 200) return;
    await Bun.sleep(50);
  }
  throw new Error(`instance ${server.url} never became ready: ${server.logs()}`);
}

/**
 * Starts Redis (with `requirepass`), a fresh PostgreSQL database, checks the
 * production configuration, migrates once, then starts instances A and B.
 */
export async function startTwoInstances(): Promise<TwoInstances> {
  const redisPassword = randomBytes(24).toString("base64url");
  const adminPassword = randomBytes(18).toString("base64url");
  const adminUsername = "desk-operator";
  const redis: TestRedis = await startRedis();
  const servers: ServerProcess[] = [];
  const stop = async () => {
    await Promise.all(
      servers.map(async (s) => {
        if (s.proc.exitCode !== null || s.proc.signalCode !== null) return;
        s.proc.kill("SIGTERM");
        const exited = await Promise.race([s.proc.exited, Bun.sleep(5_000).then(() => null)]);
        if (exited === null) s.proc.kill("SIGKILL");
      }),
    );
    await redis.stop();
  };
  try {
    await redis.cli("CONFIG", "SET", "requirepass", redisPassword);
    const env = baseEnv({
      ENVIRONMENT: "production",
      SECURITY_SECRET_KEY: randomBytes(48).toString("base64url"),
      ADMIN_USERNAME: adminUsername,
      ADMIN_PASSWORD_HASH: await hash(adminPassword, {
        algorithm: 2,
        memoryCost: 19456,
        timeCost: 2,
        parallelism: 1,
      }),
      DATABASE_URL: await dedicatedRoleUrl(await createTestDatabase()),
      REDIS_URL: redis.url,
      REDIS_PASSWORD: redisPassword,
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
    });
    const check = await runBinary(["check", "--environment", "production"], env);
    if (check.code !== 0) throw new Error(`production check failed:\n${check.stdout}`);
    const migrated = await runBinary(["migrate"], env);
    if (migrated.code !== 0) throw new Error(`migrate failed:\n${migrated.stderr}`);
    const starts = await Promise.allSettled([startServer(env), startServer(env)]);
    for (const started of starts) {
      if (started.status === "fulfilled") servers.push(started.value);
    }
    const [a, b] = servers;
    if (!a || !b) {
      const failure = starts.find((s) => s.status === "rejected");
      throw new Error(`an instance failed to start: ${String(failure?.reason)}`);
    }
    await Promise.all([waitReady(a), waitReady(b)]);
    return { a, b, adminUsername, adminPassword, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
