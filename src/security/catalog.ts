/**
 * Every check ID the validator can report, with a one-line title. `--silence`
 * accepts only these (a typo must not silently silence nothing), and
 * docs/validator.md documents each one.
 * @module
 */

/** Check ID → what it checks. */
export const CHECKS = {
  "env.002": "Required variables are present (REDIS_URL in staging/production)",
  "env.003": "No debug mode or non-production NODE_ENV in production",
  "env.004": "Every variable parses (durations, numbers, enums, URLs)",
  "env.005": "ENVIRONMENT agrees with the environment being checked",
  "env.006": "SECURITY_CHECK_SILENCE names only known check IDs",
  "env.007": "TLS certificate checks are not turned off (NODE_TLS_REJECT_UNAUTHORIZED)",
  "env.008": "A provider attempt times out before the whole call does, so breakers can open",
  "secret.001": "SECURITY_SECRET_KEY is set",
  "secret.002": "Secret is not a known, leaked or published value",
  "secret.003": "Secret is not a placeholder",
  "secret.004": "Secret is not an unresolved template",
  "secret.005": "Secret is long and random enough",
  "secret.006": "Secrets are not reused between variables",
  "secret.007": "SECURITY_SECRET_KEY_PREVIOUS holds at most two retired keys",
  "secret.008": "SECURITY_SECRET_KEY has no surrounding whitespace",
  "jwt.001": "HS256 key is at least 32 bytes",
  "jwt.003": "Token and session lifetimes are sane",
  "admin.001": "ADMIN_PASSWORD (plain text) is not set outside development",
  "admin.002": "ADMIN_PASSWORD_HASH is set and well-formed",
  "admin.003": "ADMIN_PASSWORD_HASH is not the hash of a known password",
  "admin.004": "Admin account name is not a default one",
  "admin.005": "Plain ADMIN_PASSWORD, where allowed, is not weak",
  "admin.006": "Password hash parameters meet the minimum",
  "admin.007": "Admin account name is one a new account may have",
  "admin.008": "Password hash cost is within what the server verifies routinely",
  "admin.009": "The argon2 addon loads, so password hashes can be verified",
  "apikey.001": "No demo, test, sandbox or paper provider credentials in production",
  "apikey.002": "No live provider credentials outside production",
  "apikey.003": "Alpaca key ID matches the Alpaca host",
  "apikey.004": "Provider key has the provider's format",
  "apikey.005": "A selected provider has its credentials",
  "apikey.006": "Provider URLs carry no user name or password",
  "apikey.007": "Provider URLs use TLS off trusted networks",
  "db.001": "DATABASE_URL does not use default credentials",
  "db.002": "PostgreSQL uses verified TLS off trusted networks",
  "db.003": "PostgreSQL connection has a password",
  "db.004": "Database password is not weak",
  "db.005": "SQLite is a single-instance database",
  "db.006": "DATABASE_URL is a supported, well-formed URL",
  "db.007": "The database outlives a restart (no in-memory SQLite outside development)",
  "redis.001": "Redis requires a password",
  "redis.002": "Redis uses TLS off trusted networks",
  "redis.003": "Redis password is not weak",
  "redis.004": "REDIS_URL is a well-formed redis:// or rediss:// URL",
  "redis.005": "REDIS_URL carries no credentials in its query string",
  "redis.006": "REDIS_URL selects a database a default Redis has (0–15)",
  "net.001": "TRUST_PROXY=fly is only used on Fly.io",
  "net.002": "TRUST_PROXY=xff:N has a plausible hop count",
  "net.003": "HOST is a plain address or host name",
  "net.004": "Development listens on loopback only",
  "net.005": "On Fly.io, the client address comes from Fly-Client-IP",
} as const;

/** A check ID. */
export type CheckId = keyof typeof CHECKS;

/** True when `id` is a known check ID. */
export const isCheckId = (id: string): id is CheckId => Object.hasOwn(CHECKS, id);

/** Splits a `--silence`/`SECURITY_CHECK_SILENCE` list (`a.001, b.002`) into IDs. */
export function parseSilenceList(text: string): string[] {
  return text
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");
}
