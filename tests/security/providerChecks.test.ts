import { describe, expect, test } from "bun:test";
import { check, quickEnv, severityOf, withId } from "./support.ts";

const FINNHUB = "c1a2b3c4d5e6f7g8h9i0";
const ALPACA_SECRET = "Zx9QwErTyUiOpAsDfGhJkLzXcVbNm1234567890q";

describe("apikey.001 demo/test/sandbox credentials", () => {
  test.each([
    ["ALPHA_VANTAGE_API_KEY", "demo"],
    ["FINNHUB_API_KEY", `sandbox_${FINNHUB}`],
    ["FINNHUB_API_KEY", "Tpk_0123456789abcdef0123456789abcdef"],
    ["ALPHA_VANTAGE_API_KEY", "sk_test_51Habcdefghijklmnopqrstuv"],
  ])("%s=%p: error in production, info elsewhere", async (variable, value) => {
    const env = await quickEnv({ [variable]: value });
    expect(severityOf(await check(env, "production"), "apikey.001", variable)).toBe("error");
    expect(severityOf(await check(env, "staging"), "apikey.001", variable)).toBe("info");
    expect(severityOf(await check(env, "development"), "apikey.001", variable)).toBe("info");
  });

  test("checked even when the provider is not selected (pinned)", async () => {
    const env = await quickEnv({
      ALPHA_VANTAGE_API_KEY: "demo",
      MARKET_DATA_PROVIDER: "simulated",
    });
    expect(severityOf(await check(env, "production"), "apikey.001")).toBe("error");
  });

  test.each(["ALPACA_API_URL", "ALPACA_DATA_URL"])(
    "paper host in %s is an error in production",
    async (variable) => {
      const env = await quickEnv({ [variable]: "https://paper-api.alpaca.markets" });
      expect(severityOf(await check(env, "production"), "apikey.001", variable)).toBe("error");
      expect(severityOf(await check(env, "staging"), "apikey.001", variable)).toBe("info");
    },
  );

  test("sandbox hosts are flagged", async () => {
    const env = await quickEnv({ FINNHUB_BASE_URL: "https://sandbox.iexapis.com/v1" });
    expect(severityOf(await check(env, "production"), "apikey.001", "FINNHUB_BASE_URL")).toBe(
      "error",
    );
  });

  test("a PK… key ID in production is a warning, not an error (pinned)", async () => {
    const env = await quickEnv({
      ALPACA_API_KEY_ID: "PKABCDEFGHIJ12345678",
      ALPACA_API_SECRET_KEY: ALPACA_SECRET,
    });
    expect(severityOf(await check(env, "production"), "apikey.001", "ALPACA_API_KEY_ID")).toBe(
      "warning",
    );
  });

  test("real-looking keys pass", async () => {
    const env = await quickEnv({
      FINNHUB_API_KEY: FINNHUB,
      ALPHA_VANTAGE_API_KEY: "A1B2C3D4E5F6G7H8",
      ALPACA_API_KEY_ID: "AKABCDEFGHIJ12345678",
      ALPACA_API_SECRET_KEY: ALPACA_SECRET,
      ALPACA_API_URL: "https://api.alpaca.markets",
      MARKET_DATA_PROVIDER: "alpaca",
      NEWS_PROVIDER: "finnhub",
      ALTDATA_PROVIDER: "alphavantage",
    });
    expect((await check(env, "production")).filter((f) => f.id.startsWith("apikey."))).toEqual([]);
  });
});

describe("apikey.002 live credentials outside production", () => {
  test("AK key ID, live host and sk_live_ keys warn in staging and development only", async () => {
    const env = await quickEnv({
      ALPACA_API_KEY_ID: "AKABCDEFGHIJ12345678",
      ALPACA_API_SECRET_KEY: ALPACA_SECRET,
      ALPACA_API_URL: "https://api.alpaca.markets",
      ALPHA_VANTAGE_API_KEY: "sk_live_51Habcdefghijklmnopqrstuv",
    });
    for (const environment of ["staging", "development"] as const) {
      const vars = withId(await check(env, environment), "apikey.002").map((f) => f.variable);
      expect(vars.sort()).toEqual(["ALPACA_API_KEY_ID", "ALPACA_API_URL", "ALPHA_VANTAGE_API_KEY"]);
      expect(
        withId(await check(env, environment), "apikey.002").every((f) => f.severity === "warning"),
      ).toBe(true);
    }
    expect(withId(await check(env, "production"), "apikey.002")).toEqual([]);
  });
});

describe("apikey.003 Alpaca key/host mismatch", () => {
  test.each([
    ["PKABCDEFGHIJ12345678", "https://api.alpaca.markets"],
    ["AKABCDEFGHIJ12345678", "https://paper-api.alpaca.markets"],
  ])("%s with %s: error in production and staging, warning in development", async (id, url) => {
    const env = await quickEnv({
      ALPACA_API_KEY_ID: id,
      ALPACA_API_SECRET_KEY: ALPACA_SECRET,
      ALPACA_API_URL: url,
    });
    expect(severityOf(await check(env, "production"), "apikey.003")).toBe("error");
    expect(severityOf(await check(env, "staging"), "apikey.003")).toBe("error");
    expect(severityOf(await check(env, "development"), "apikey.003")).toBe("warning");
  });
  test("PK with the paper host matches", async () => {
    const env = await quickEnv({
      ALPACA_API_KEY_ID: "PKABCDEFGHIJ12345678",
      ALPACA_API_SECRET_KEY: ALPACA_SECRET,
      ALPACA_API_URL: "https://paper-api.alpaca.markets",
    });
    expect(severityOf(await check(env, "staging"), "apikey.003")).toBeNull();
  });
});

describe("apikey.004 format", () => {
  test.each([
    ["FINNHUB_API_KEY", `${FINNHUB} `],
    ["FINNHUB_API_KEY", `"${FINNHUB}"`],
    ["FINNHUB_API_KEY", FINNHUB.slice(0, 12)],
    ["ALPACA_API_KEY_ID", "pk-lowercase-key"],
    ["ALPACA_API_SECRET_KEY", "short"],
    ["ALPHA_VANTAGE_API_KEY", "<your-key>"],
  ])("%s=%p warns", async (variable, value) => {
    const env = await quickEnv({ [variable]: value });
    expect(severityOf(await check(env, "production"), "apikey.004", variable)).toBe("warning");
    expect(severityOf(await check(env, "development"), "apikey.004", variable)).toBe("info");
  });
});

describe("apikey.005 selected provider needs its key", () => {
  test.each([
    ["MARKET_DATA_PROVIDER", "alpaca", ["ALPACA_API_KEY_ID", "ALPACA_API_SECRET_KEY"]],
    ["NEWS_PROVIDER", "finnhub", ["FINNHUB_API_KEY"]],
    ["ALTDATA_PROVIDER", "alphavantage", ["ALPHA_VANTAGE_API_KEY"]],
  ])("%s=%s without keys is an error in every environment", async (selector, provider, missing) => {
    const env = await quickEnv({ [selector]: provider });
    for (const environment of ["production", "staging", "development"] as const) {
      const found = withId(await check(env, environment), "apikey.005");
      expect(found.map((f) => f.variable).sort()).toEqual(missing);
      expect(found.every((f) => f.severity === "error")).toBe(true);
    }
  });
  test("half an Alpaca pair without selection warns", async () => {
    const env = await quickEnv({ ALPACA_API_KEY_ID: "AKABCDEFGHIJ12345678" });
    expect(severityOf(await check(env, "production"), "apikey.005", "ALPACA_API_SECRET_KEY")).toBe(
      "warning",
    );
  });
  test("the simulated default needs nothing", async () => {
    expect(withId(await check(await quickEnv(), "production"), "apikey.005")).toEqual([]);
  });
});

describe("apikey.006 credentials in a provider URL", () => {
  test("a user or password in a base URL warns everywhere and is never printed", async () => {
    const env = await quickEnv({
      FINNHUB_BASE_URL: "https://alice:hunter2-secret@finnhub.example/api/v1",
    });
    for (const environment of ["production", "staging", "development"] as const) {
      const report = await check(env, environment);
      expect(severityOf(report, "apikey.006")).toBe("warning");
      expect(JSON.stringify(report)).not.toContain("hunter2-secret");
    }
    const plain = await quickEnv({ FINNHUB_BASE_URL: "https://finnhub.example/api/v1" });
    expect(severityOf(await check(plain, "production"), "apikey.006")).toBeNull();
  });
});

describe("apikey.007 plain-text provider URL", () => {
  test("http:// off a trusted network is an error in production, a warning in staging", async () => {
    const env = await quickEnv({
      ALPACA_DATA_URL: "http://data.alpaca.markets",
      FINNHUB_BASE_URL: "HTTP://finnhub.io/api/v1",
    });
    const findings = withId(await check(env, "production"), "apikey.007");
    expect(findings.map((f) => [f.variable, f.severity])).toEqual([
      ["ALPACA_DATA_URL", "error"],
      ["FINNHUB_BASE_URL", "error"],
    ]);
    expect(severityOf(await check(env, "staging"), "apikey.007", "ALPACA_DATA_URL")).toBe(
      "warning",
    );
    expect(severityOf(await check(env, "development"), "apikey.007")).toBeNull();
  });
  test("https, loopback and Fly's private network pass", async () => {
    const env = await quickEnv({
      ALPACA_DATA_URL: "https://data.alpaca.markets",
      FINNHUB_BASE_URL: "http://127.0.0.1:9000/api/v1",
      ALPHA_VANTAGE_BASE_URL: "http://av-proxy.internal:8080",
    });
    expect(withId(await check(env, "production"), "apikey.007")).toEqual([]);
  });
});
