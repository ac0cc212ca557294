/**
 * A production environment for the binary: a real Redis behind a random
 * password, a SQLite file in a fresh directory, and an argon2id admin hash
 * with the pinned parameters. Values are random per run and never printed.
 * @module
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hash } from "@node-rs/argon2";
import { startRedis, type TestRedis } from "../../support/redis.ts";
import { baseEnv } from "./process.ts";

/** An argon2id hash with the parameters `hash-password` uses. */
export const argon2id = (password: string): Promise<string> =>
  hash(password, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });

/** The environment and what a test needs to drive it. */
export interface ProductionFixture {
  env: Record<string, string>;
  redis: TestRedis;
  /** The admin's (`desk-operator`) password. */
  adminPassword: string;
  /** Sets the password on `redis` (again, after a restart). */
  protect(redis: TestRedis): Promise<void>;
  /** The directory holding the SQLite file. */
  dir: string;
}

/** Starts a protected Redis and builds the environment; stop `redis` when done. */
export async function startProductionFixture(prefix: string): Promise<ProductionFixture> {
  const redisPassword = randomBytes(24).toString("base64url");
  const adminPassword = randomBytes(18).toString("base64url");
  const protect = async (r: TestRedis) => {
    await r.cli("CONFIG", "SET", "requirepass", redisPassword);
  };
  const redis = await startRedis();
  await protect(redis);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const env = baseEnv({
    ENVIRONMENT: "production",
    SECURITY_SECRET_KEY: randomBytes(48).toString("base64url"),
    ADMIN_USERNAME: "desk-operator",
    ADMIN_PASSWORD_HASH: await argon2id(adminPassword),
    REDIS_URL: redis.url,
    REDIS_PASSWORD: redisPassword,
    DATABASE_URL: `sqlite://${join(dir, "prod.db")}`,
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
  });
  return { env, redis, adminPassword, protect, dir };
}
