/**
 * A secret's value never appears in any output (DESIGN §4): text or JSON, any
 * environment, any fail level, whatever is wrong with it.
 */
import { describe, expect, test } from "bun:test";
import { runCheck, runGate } from "../../src/cli/check.ts";
import { ENVIRONMENTS } from "../../src/config/index.ts";
import { argon2idHash, randomSecret, strongProductionEnv } from "./support.ts";

async function outputs(env: Record<string, string | undefined>): Promise<string> {
  const chunks: string[] = [];
  const io = { stdout: (s: string) => chunks.push(s), stderr: (s: string) => chunks.push(s) };
  for (const environment of ENVIRONMENTS) {
    for (const format of ["text", "json"]) {
      await runCheck(
        ["--environment", environment, "--format", format, "--fail-level", "info"],
        env,
        io,
      );
    }
    chunks.push((await runGate(env, environment)).text);
  }
  return chunks.join("");
}

const SECRET_VARIABLES = [
  "SECURITY_SECRET_KEY",
  "SECURITY_SECRET_KEY_PREVIOUS",
  "ADMIN_PASSWORD",
  "ADMIN_PASSWORD_HASH",
  "REDIS_PASSWORD",
  "REDIS_URL",
  "DATABASE_URL",
  "ALPACA_API_KEY_ID",
  "ALPACA_API_SECRET_KEY",
  "FINNHUB_API_KEY",
  "ALPHA_VANTAGE_API_KEY",
];

/** The value of every secret variable, and the passwords inside the URLs. */
function secretValues(env: Record<string, string | undefined>): string[] {
  const values: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const value = env[name];
    if (value === undefined) continue;
    values.push(value, ...value.split(","));
    if (name.endsWith("_URL")) {
      try {
        const password = decodeURIComponent(new URL(value).password);
        if (password) values.push(password);
      } catch {
        // not a URL: the whole value is already in the list
      }
    }
  }
  return values.filter((v) => v.trim().length >= 6);
}

describe("no secret value in any output", () => {
  test("SECURITY_SECRET_KEY=TradingSystem2024! is critical and printed nowhere", async () => {
    const env = { SECURITY_SECRET_KEY: "TradingSystem2024!" };
    const text = await outputs(env);
    expect(text).toContain("secret.002");
    expect(text).not.toContain("TradingSystem2024");
  });

  test("bad values of every secret variable leak nowhere", async () => {
    const env = {
      SECURITY_SECRET_KEY: "Zq8pL2wR-weak",
      SECURITY_SECRET_KEY_PREVIOUS: "TradingSystem2024!,replace-me-please-0123456789abcdef",
      ADMIN_PASSWORD: "S3cr3tAdm1nPw",
      ADMIN_PASSWORD_HASH: await argon2idHash("TradingSystem2024!"),
      REDIS_PASSWORD: "foobared",
      REDIS_URL: "redis://:Xk29fLq7zz@cache.example.com:6379",
      DATABASE_URL: "postgres://postgres:Hunter2Secret@db.example.com:5432/trading",
      ALPACA_API_KEY_ID: "PKLEAKCHECK123456789",
      ALPACA_API_SECRET_KEY: "short-alpaca-secret",
      FINNHUB_API_KEY: "sandbox_leakcheck0123456789",
      ALPHA_VANTAGE_API_KEY: "sk_live_leakcheck0123456789abcdef",
      ALPACA_API_URL: "https://api.alpaca.markets",
    };
    const text = await outputs(env);
    expect(text).toContain("admin.003");
    for (const value of secretValues(env)) expect(text).not.toContain(value);
  });

  test("values of a strong configuration leak nowhere either", async () => {
    const env = await strongProductionEnv({
      SECURITY_SECRET_KEY_PREVIOUS: randomSecret(),
      ADMIN_PASSWORD: randomSecret(),
      ACCESS_TOKEN_TTL: "bogus-duration-value",
    });
    const text = await outputs(env);
    for (const value of [...secretValues(env), "bogus-duration-value"]) {
      expect(text).not.toContain(value);
    }
  });
});
