import { describe, expect, test } from "bun:test";
import {
  formatDuration,
  isUnknownEnvironmentError,
  loadConfig,
  parseDuration,
  parseRate,
  resolveEnvironment,
} from "../../src/config/index.ts";

describe("parseDuration", () => {
  test.each([
    ["250ms", 250],
    ["30s", 30_000],
    ["15m", 900_000],
    ["12h", 43_200_000],
    ["1d", 86_400_000],
    ["1h30m", 5_400_000],
    [" 15m ", 900_000],
  ])("%p → %p ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(["", "15", "m", "-5s", "1.5h", "15 m", "15M", "1w", "9999999999h", "1e3s"])(
    "rejects %p",
    (text) => expect(parseDuration(text)).toBeUndefined(),
  );

  test("formats in the largest whole unit", () => {
    expect(formatDuration(900_000)).toBe("15m");
    expect(formatDuration(1_500)).toBe("1500ms");
    expect(formatDuration(86_400_000)).toBe("1d");
  });
});

describe("parseRate", () => {
  test("q per window", () => expect(parseRate("60/1m")).toEqual({ limit: 60, windowMs: 60_000 }));
  test("a window of up to 30 days", () =>
    expect(parseRate("1/30d")).toEqual({ limit: 1, windowMs: 30 * 86_400_000 }));
  // Windows are whole seconds: RateLimit-Policy states them in seconds.
  test.each([
    "60",
    "0/1m",
    "60/",
    "/1m",
    "a/1m",
    "60/1x",
    "1/31d",
    "1/110000d",
    "5/1ms",
    "5/1500ms",
  ])("rejects %p", (t) => expect(parseRate(t)).toBeUndefined());
});

describe("resolveEnvironment", () => {
  test("flag wins over ENVIRONMENT", () =>
    expect(resolveEnvironment("staging", { ENVIRONMENT: "development" })).toBe("staging"));
  test("ENVIRONMENT when no flag", () =>
    expect(resolveEnvironment(undefined, { ENVIRONMENT: "development" })).toBe("development"));
  test("production when neither (fail closed)", () => {
    expect(resolveEnvironment(undefined, {})).toBe("production");
    expect(resolveEnvironment(undefined, { ENVIRONMENT: "  " })).toBe("production");
  });
  test.each(["prod", "Production", "dev", ""])("flag %p is unknown", (flag) => {
    let error: unknown;
    try {
      resolveEnvironment(flag, {});
    } catch (e) {
      error = e;
    }
    expect(isUnknownEnvironmentError(error)).toBe(true);
  });
  test("an unknown ENVIRONMENT is an error, not a default", () =>
    expect(() => resolveEnvironment(undefined, { ENVIRONMENT: "prod" })).toThrow(
      /ENVIRONMENT must be one of/,
    ));
});

describe("loadConfig", () => {
  test("defaults", () => {
    const result = loadConfig({}, "production");
    if (!result.ok) throw new Error("expected ok");
    const c = result.config;
    expect(c.ACCESS_TOKEN_TTL).toBe(900_000);
    expect(c.REFRESH_REUSE_GRACE).toBe(10_000);
    expect(c.SESSION_IDLE_TTL).toBe(12 * 3_600_000);
    expect(c.SESSION_ABSOLUTE_TTL).toBe(24 * 3_600_000);
    expect(c.DATABASE_URL).toBe("sqlite://./data/trading.db");
    expect(c.PORT).toBe(8080);
    expect(c.HOST).toBe("0.0.0.0");
    expect(c.RATE_LIMIT_ANONYMOUS).toEqual({ limit: 60, windowMs: 60_000 });
    expect(c.RATE_LIMIT_USER).toEqual({ limit: 600, windowMs: 60_000 });
    expect(c.REDIS_COMMAND_TIMEOUT).toBe(100);
    expect(c.MARKET_DATA_PROVIDER).toBe("simulated");
    expect(c.ADMIN_USERNAME).toBe("admin");
  });

  test("development listens on loopback by default", () => {
    const result = loadConfig({}, "development");
    expect(result.ok && result.config.HOST).toBe("127.0.0.1");
  });

  test("blank values count as unset", () => {
    const result = loadConfig({ SECURITY_SECRET_KEY: "   ", PORT: "", HOST: "\t" }, "staging");
    if (!result.ok) throw new Error("expected ok");
    expect(result.config.SECURITY_SECRET_KEY).toBeUndefined();
    expect(result.config.PORT).toBe(8080);
    expect(result.config.HOST).toBe("0.0.0.0");
  });

  test("reports every problem at once, by variable, without values", () => {
    const secretish = "zzz-not-a-duration-zzz";
    const result = loadConfig(
      {
        PORT: "70000",
        ACCESS_TOKEN_TTL: secretish,
        TRUST_PROXY: "everything",
        RATE_LIMIT_ROUTES: "market=lots",
        MARKET_DATA_PROVIDER: "bloomberg",
        ALPACA_DATA_URL: "ftp://x",
      },
      "production",
    );
    if (result.ok) throw new Error("expected issues");
    expect(result.issues.map((i) => i.variable)).toEqual([
      "ACCESS_TOKEN_TTL",
      "ALPACA_DATA_URL",
      "MARKET_DATA_PROVIDER",
      "PORT",
      "RATE_LIMIT_ROUTES",
      "TRUST_PROXY",
    ]);
    expect(JSON.stringify(result.issues)).not.toContain(secretish);
    expect(JSON.stringify(result.issues)).not.toContain("bloomberg");
  });

  test("Alpaca is a market-data and news provider, not an alt-data one: refused at load", () => {
    const result = loadConfig({ ALTDATA_PROVIDER: "alpaca" }, "production");
    if (result.ok) throw new Error("expected issues");
    expect(result.issues.map((i) => i.variable)).toEqual(["ALTDATA_PROVIDER"]);
    const fine = loadConfig(
      { MARKET_DATA_PROVIDER: "alpaca", NEWS_PROVIDER: "alpaca" },
      "production",
    );
    expect(fine.ok).toBe(true);
  });

  test("route-group rate overrides", () => {
    const result = loadConfig({ RATE_LIMIT_ROUTES: "market=300/1m, admin=30/1m" }, "production");
    if (!result.ok) throw new Error("expected ok");
    expect(result.config.RATE_LIMIT_ROUTES).toEqual({
      market: { limit: 300, windowMs: 60_000 },
      admin: { limit: 30, windowMs: 60_000 },
    });
  });

  test.each([
    ["1.5", "must be a whole number in decimal digits"],
    ["abc", "must be a whole number in decimal digits"],
    ["Infinity", "must be a whole number in decimal digits"],
    ["-1", "must be a whole number in decimal digits"],
    // Number() reads these as 8099 and 1000.
    ["0x1FA3", "must be a whole number in decimal digits"],
    ["1e3", "must be a whole number in decimal digits"],
    ["70000", "must be at most 65535"],
  ])("PORT=%p is refused with %p", (value, message) => {
    const result = loadConfig({ PORT: value }, "production");
    if (result.ok) throw new Error("expected issues");
    expect(result.issues).toEqual([{ variable: "PORT", message }]);
  });

  test.each([
    [
      "markets=300/1m",
      "names an unknown route group; the groups are admin, altdata, auth, market, news",
    ],
    ["market=300/1m,market=10/1m", "names a route group twice"],
    ["market=300/1m=10/1s", "must be a list like market=300/1m,admin=60/1m"],
  ])("RATE_LIMIT_ROUTES=%p is refused: it would limit nothing it says", (value, message) => {
    const result = loadConfig({ RATE_LIMIT_ROUTES: value }, "production");
    if (result.ok) throw new Error("expected issues");
    expect(result.issues).toEqual([{ variable: "RATE_LIMIT_ROUTES", message }]);
  });

  test("whole numbers parse, with surrounding spaces", () => {
    const result = loadConfig({ PORT: " 8443 ", SIM_SEED: "0" }, "production");
    if (!result.ok) throw new Error("expected ok");
    expect([result.config.PORT, result.config.SIM_SEED]).toEqual([8443, 0]);
  });

  test("durations outside their range are refused", () => {
    const result = loadConfig({ ACCESS_TOKEN_TTL: "30d" }, "production");
    expect(result.ok).toBe(false);
  });
});

test("HOST is trimmed, as the check reads it: a stray space no longer fails the bind", () => {
  const loaded = loadConfig({ HOST: " 127.0.0.1\t" }, "development");
  expect(loaded.ok && loaded.config.HOST).toBe("127.0.0.1");
});
