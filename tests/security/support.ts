/**
 * Shared fixtures for the validator tests: the strong production
 * configuration from the issue, and small helpers over findings.
 */
import { randomBytes } from "node:crypto";
import { hash } from "@node-rs/argon2";
import type { Environment } from "../../src/config/index.ts";
import { type Finding, validate } from "../../src/security/index.ts";

/** A fresh random secret like `gen-secret --bytes 48` prints. */
export const randomSecret = (bytes = 48): string => randomBytes(bytes).toString("base64url");

// Algorithm.Argon2id; the const enum cannot be imported under verbatimModuleSyntax.
const ARGON2ID = 2;

/** argon2id with the product's parameters (m=19456, t=2, p=1). */
export const argon2idHash = (password: string): Promise<string> =>
  hash(password, { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 });

/** `${name}`: an unresolved shell/compose template, the input of secret.004. */
export const unresolved = (name: string): string => `\${${name}}`;

let strongHash: Promise<string> | undefined;

/** The strong production configuration: zero findings at or above error. */
export async function strongProductionEnv(
  extra: Record<string, string | undefined> = {},
): Promise<Record<string, string | undefined>> {
  strongHash ??= argon2idHash(randomSecret(24));
  return {
    ENVIRONMENT: "production",
    SECURITY_SECRET_KEY: randomSecret(),
    ADMIN_USERNAME: "ops-lead",
    ADMIN_PASSWORD_HASH: await strongHash,
    REDIS_URL: "redis://127.0.0.1:6379",
    REDIS_PASSWORD: randomSecret(32),
    DATABASE_URL: `postgres://trader:${randomSecret(32)}@db.example.com:5432/trading?sslmode=verify-full`,
    ...extra,
  };
}

/** Findings of `env` in `environment`. */
export const check = (env: Record<string, string | undefined>, environment: Environment) =>
  validate(env, environment);

/** The findings with `id` (and `variable`, when given). */
export function withId(findings: Finding[], id: string, variable?: string): Finding[] {
  return findings.filter((f) => f.id === id && (variable === undefined || f.variable === variable));
}

/** The severity of the single finding with `id`/`variable`, or null when there is none. */
export function severityOf(findings: Finding[], id: string, variable?: string): string | null {
  const matches = withId(findings, id, variable);
  if (matches.length > 1) throw new Error(`expected at most one ${id}, got ${matches.length}`);
  return matches[0]?.severity ?? null;
}

/** Findings at error or critical. */
export const blocking = (findings: Finding[]) =>
  findings.filter((f) => f.severity === "error" || f.severity === "critical");

let cheapHash: Promise<string> | undefined;

/**
 * The strong configuration with a cost-4 bcrypt admin hash: verifying it is
 * ~1000× cheaper than argon2id, which keeps suites about other rules fast.
 * Only admin.006 (cost) differs from {@link strongProductionEnv}.
 */
export async function quickEnv(
  extra: Record<string, string | undefined> = {},
): Promise<Record<string, string | undefined>> {
  cheapHash ??= Bun.password.hash(randomSecret(24), { algorithm: "bcrypt", cost: 4 });
  return strongProductionEnv({ ADMIN_PASSWORD_HASH: await cheapHash, ...extra });
}
