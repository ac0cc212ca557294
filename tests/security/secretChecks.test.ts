import { describe, expect, test } from "bun:test";
import {
  blocking,
  check,
  quickEnv,
  randomSecret,
  severityOf,
  strongProductionEnv,
  unresolved,
  withId,
} from "./support.ts";

describe("strong production configuration (the issue's example)", () => {
  test("has no finding at or above error", async () => {
    const findings = await check(await strongProductionEnv(), "production");
    expect(blocking(findings)).toEqual([]);
  });
  test("stays clean in staging and development", async () => {
    const env = await strongProductionEnv();
    expect(blocking(await check({ ...env, ENVIRONMENT: "staging" }, "staging"))).toEqual([]);
    expect(blocking(await check({ ...env, ENVIRONMENT: "development" }, "development"))).toEqual(
      [],
    );
  });
});

describe("empty environment", () => {
  test("production: errors on the secret, the admin hash, Redis and its password", async () => {
    const findings = await check({}, "production");
    expect(severityOf(findings, "secret.001", "SECURITY_SECRET_KEY")).toBe("error");
    expect(severityOf(findings, "admin.002", "ADMIN_PASSWORD_HASH")).toBe("error");
    expect(severityOf(findings, "env.002", "REDIS_URL")).toBe("error");
    expect(severityOf(findings, "redis.001", "REDIS_PASSWORD")).toBe("error");
  });
  test("development: nothing blocks, the missing secret is a warning", async () => {
    const findings = await check({}, "development");
    expect(blocking(findings)).toEqual([]);
    expect(severityOf(findings, "secret.001")).toBe("warning");
    expect(severityOf(findings, "env.002")).toBe("info");
    expect(severityOf(findings, "admin.002")).toBeNull();
  });
  test("whitespace counts as missing", async () => {
    const findings = await check({ SECURITY_SECRET_KEY: "   ", REDIS_URL: "" }, "staging");
    expect(severityOf(findings, "secret.001")).toBe("error");
    expect(severityOf(findings, "env.002")).toBe("error");
  });
});

describe("secret.002–005 per value, with severities per environment", () => {
  const cases: [string, string, [string, string, string]][] = [
    ["TradingSystem2024!", "secret.002", ["critical", "error", "warning"]],
    ["your-256-bit-secret", "secret.002", ["critical", "error", "warning"]],
    ["replace-me-with-a-long-random-string-0123", "secret.003", ["error", "error", "warning"]],
    [unresolved("SECURITY_SECRET_KEY"), "secret.004", ["error", "error", "warning"]],
    ["BCDEFGHIJKLMNOPQRSTUVWXYZ0123456", "secret.005", ["error", "error", "warning"]],
    [
      "abcdeabcdeabcdeabcdeabcdeabcdeabcdeabcdeabcdeabcde",
      "secret.003",
      ["error", "error", "warning"],
    ],
    ["Zq8pL2wR", "secret.005", ["error", "error", "warning"]],
  ];
  test.each(cases)("%p → %s", async (value, id, [prod, staging, dev]) => {
    const env = await quickEnv({ SECURITY_SECRET_KEY: value });
    expect(severityOf(await check(env, "production"), id, "SECURITY_SECRET_KEY")).toBe(prod);
    expect(severityOf(await check(env, "staging"), id, "SECURITY_SECRET_KEY")).toBe(staging);
    expect(severityOf(await check(env, "development"), id, "SECURITY_SECRET_KEY")).toBe(dev);
  });

  test("one finding per bad value: the worst weakness only", async () => {
    const env = await quickEnv({ SECURITY_SECRET_KEY: "TradingSystem2024!" });
    const ids = (await check(env, "production"))
      .filter((f) => f.variable === "SECURITY_SECRET_KEY" && f.id.startsWith("secret."))
      .map((f) => f.id);
    expect(ids).toEqual(["secret.002"]);
  });

  test("every SECURITY_SECRET_KEY_PREVIOUS entry is checked and named by position", async () => {
    const env = await quickEnv({
      SECURITY_SECRET_KEY_PREVIOUS: `${randomSecret()},changeme, ,\${OLD_KEY}`,
    });
    const findings = withId(
      await check(env, "production"),
      "secret.002",
      "SECURITY_SECRET_KEY_PREVIOUS",
    );
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/^entry 2 /)]);
    const templated = withId(await check(env, "production"), "secret.004");
    expect(templated.map((f) => f.message)).toEqual([expect.stringMatching(/^entry 4 /)]);
  });

  test("more than two retired keys warn in production and staging (secret.007)", async () => {
    const keys = (n: number) => Array.from({ length: n }, () => randomSecret()).join(",");
    const three = await quickEnv({ SECURITY_SECRET_KEY_PREVIOUS: keys(3) });
    expect(severityOf(await check(three, "production"), "secret.007")).toBe("warning");
    expect(severityOf(await check(three, "staging"), "secret.007")).toBe("warning");
    expect(severityOf(await check(three, "development"), "secret.007")).toBeNull();
    // Whole: at 99 characters it had ended "(one HMAC per key, before the ra…".
    const [finding] = withId(await check(three, "production"), "secret.007");
    expect(finding?.message).toEndWith("verifies no live token");
    // Blank entries are not keys.
    const two = await quickEnv({ SECURITY_SECRET_KEY_PREVIOUS: `${keys(2)}, ,` });
    expect(severityOf(await check(two, "production"), "secret.007")).toBeNull();
  });

  test("strong retired keys pass", async () => {
    const env = await quickEnv({
      SECURITY_SECRET_KEY_PREVIOUS: `${randomSecret()},${randomSecret()}`,
    });
    expect(blocking(await check(env, "production"))).toEqual([]);
  });
});

describe("secret.006 reuse", () => {
  test("the signing key reused as the Redis password warns in production and staging", async () => {
    const shared = randomSecret();
    const env = await quickEnv({ SECURITY_SECRET_KEY: shared, REDIS_PASSWORD: shared });
    expect(severityOf(await check(env, "production"), "secret.006", "REDIS_PASSWORD")).toBe(
      "warning",
    );
    expect(severityOf(await check(env, "staging"), "secret.006", "REDIS_PASSWORD")).toBe("warning");
    expect(severityOf(await check(env, "development"), "secret.006")).toBeNull();
  });
  test("a retired key equal to the current key, and Redis reusing the database password", async () => {
    const key = randomSecret();
    const db = randomSecret(32);
    const env = await quickEnv({
      SECURITY_SECRET_KEY: key,
      SECURITY_SECRET_KEY_PREVIOUS: key,
      DATABASE_URL: `postgres://trader:${db}@db.internal:5432/trading`,
      REDIS_PASSWORD: db,
    });
    const findings = withId(await check(env, "production"), "secret.006");
    expect(findings.map((f) => f.variable).sort()).toEqual([
      "DATABASE_URL",
      "SECURITY_SECRET_KEY_PREVIOUS",
    ]);
  });
  test("a padded signing key warns (secret.008); retired entries are judged trimmed", async () => {
    const key = randomSecret();
    const padded = await quickEnv({
      SECURITY_SECRET_KEY: `${key}\r`,
      SECURITY_SECRET_KEY_PREVIOUS: ` ${randomSecret()} , ${key} `,
    });
    expect(severityOf(await check(padded, "production"), "secret.008")).toBe("warning");
    expect(severityOf(await check(padded, "development"), "secret.008")).toBeNull();
    // The trimmed entry equals the key without its CR: not the same key, so no reuse.
    expect(withId(await check(padded, "production"), "secret.006")).toEqual([]);
    const clean = await quickEnv({
      SECURITY_SECRET_KEY: key,
      SECURITY_SECRET_KEY_PREVIOUS: ` ${key} `,
    });
    expect(withId(await check(clean, "production"), "secret.008")).toEqual([]);
    expect(withId(await check(clean, "production"), "secret.006").map((f) => f.variable)).toEqual([
      "SECURITY_SECRET_KEY_PREVIOUS",
    ]);
  });
  test("REDIS_PASSWORD equal to REDIS_URL's password is one credential, not reuse", async () => {
    const pw = randomSecret(32);
    const env = await quickEnv({
      REDIS_URL: `redis://:${pw}@127.0.0.1:6379`,
      REDIS_PASSWORD: pw,
    });
    expect(withId(await check(env, "production"), "secret.006")).toEqual([]);
  });
});

describe("jwt.001 HS256 key size", () => {
  test("31 bytes fails, 32 bytes passes (bytes, not characters)", async () => {
    const short = await quickEnv({ SECURITY_SECRET_KEY: randomSecret(23).slice(0, 31) });
    expect(severityOf(await check(short, "production"), "jwt.001")).toBe("error");
    expect(severityOf(await check(short, "development"), "jwt.001")).toBe("warning");
    const ok = await quickEnv({ SECURITY_SECRET_KEY: randomSecret(24) });
    expect(severityOf(await check(ok, "production"), "jwt.001")).toBeNull();
    // 16 two-byte characters are 32 bytes of key.
    const wide = await quickEnv({ SECURITY_SECRET_KEY: "é".repeat(15) });
    expect(severityOf(await check(wide, "production"), "jwt.001")).toBe("error");
  });
});

describe("jwt.003 lifetimes", () => {
  test.each([
    [{ ACCESS_TOKEN_TTL: "2h" }, "ACCESS_TOKEN_TTL"],
    [{ ACCESS_TOKEN_TTL: "30m", SESSION_IDLE_TTL: "10m" }, "ACCESS_TOKEN_TTL"],
    [{ SESSION_IDLE_TTL: "48h", SESSION_ABSOLUTE_TTL: "24h" }, "SESSION_IDLE_TTL"],
    [{ SESSION_ABSOLUTE_TTL: "60d" }, "SESSION_ABSOLUTE_TTL"],
    [{ REFRESH_REUSE_GRACE: "2m" }, "REFRESH_REUSE_GRACE"],
  ])("%p warns on %s", async (extra, variable) => {
    const env = await quickEnv(extra);
    expect(withId(await check(env, "production"), "jwt.003", variable)[0]?.severity).toBe(
      "warning",
    );
    expect(withId(await check(env, "development"), "jwt.003")).toEqual([]);
  });
  test("defaults and sane values pass", async () => {
    const env = await quickEnv({ ACCESS_TOKEN_TTL: "1h", SESSION_IDLE_TTL: "8h" });
    expect(withId(await check(env, "production"), "jwt.003")).toEqual([]);
  });
});
