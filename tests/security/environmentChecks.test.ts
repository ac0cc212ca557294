import { describe, expect, test } from "bun:test";
import { check, quickEnv, severityOf, withId } from "./support.ts";

describe("env.003 debug and NODE_ENV", () => {
  test.each([
    ["DEBUG", "1"],
    ["DEBUG", "true"],
    ["DEBUG", "express:*"],
    ["NODE_ENV", "development"],
    ["NODE_ENV", "test"],
  ])(
    "%s=%p: error in production, warning in staging, nothing in development",
    async (name, value) => {
      const env = await quickEnv({ [name]: value });
      expect(severityOf(await check(env, "production"), "env.003", name)).toBe("error");
      expect(severityOf(await check(env, "staging"), "env.003", name)).toBe("warning");
      expect(severityOf(await check(env, "development"), "env.003", name)).toBeNull();
    },
  );
  test.each([
    ["DEBUG", "0"],
    ["DEBUG", "false"],
    ["NODE_ENV", "production"],
  ])("%s=%p passes", async (name, value) => {
    expect(withId(await check(await quickEnv({ [name]: value }), "production"), "env.003")).toEqual(
      [],
    );
  });
  test("NODE_ENV is read from the map handed in, never process.env", async () => {
    const saved = process.env.NODE_ENV;
    process.env.NODE_ENV = "development";
    try {
      expect(
        withId(await check(await quickEnv({ NODE_ENV: undefined }), "production"), "env.003"),
      ).toEqual([]);
    } finally {
      process.env.NODE_ENV = saved;
    }
  });
});

describe("env.007 TLS certificate checks turned off", () => {
  test.each(["0", "false", " no "])(
    "NODE_TLS_REJECT_UNAUTHORIZED=%p is an error outside development",
    async (value) => {
      const env = await quickEnv({ NODE_TLS_REJECT_UNAUTHORIZED: value });
      expect(severityOf(await check(env, "production"), "env.007")).toBe("error");
      expect(severityOf(await check(env, "staging"), "env.007")).toBe("error");
      expect(severityOf(await check(env, "development"), "env.007")).toBe("warning");
    },
  );
  test("unset or 1 passes", async () => {
    for (const value of [undefined, "1"]) {
      const env = await quickEnv({ NODE_TLS_REJECT_UNAUTHORIZED: value });
      expect(severityOf(await check(env, "production"), "env.007")).toBeNull();
    }
  });
});

describe("env.004 every loadConfig issue is a finding", () => {
  test.each([
    ["ACCESS_TOKEN_TTL", "900"],
    ["ACCESS_TOKEN_TTL", "48h"],
    ["PORT", "99999"],
    ["TRUST_PROXY", "yes"],
    ["MARKET_DATA_PROVIDER", "bloomberg"],
    ["ALPACA_DATA_URL", "ftp://x"],
    ["RATE_LIMIT_USER", "lots"],
  ])("%s=%p is an error in every environment, named, without the value", async (name, value) => {
    const env = await quickEnv({ [name]: value });
    for (const environment of ["production", "staging", "development"] as const) {
      const found = withId(await check(env, environment), "env.004", name);
      expect(found).toHaveLength(1);
      expect(found[0]?.severity).toBe("error");
      expect(found[0]?.message).not.toContain(value);
    }
  });
  test("valid values produce no env.004", async () => {
    const env = await quickEnv({ ACCESS_TOKEN_TTL: "10m", PORT: "8443", TRUST_PROXY: "xff:1" });
    expect(withId(await check(env, "production"), "env.004")).toEqual([]);
  });
});

describe("env.005 / env.006", () => {
  test("ENVIRONMENT naming another environment than the one checked warns", async () => {
    const env = await quickEnv({ ENVIRONMENT: "staging" });
    expect(severityOf(await check(env, "production"), "env.005")).toBe("warning");
    expect(severityOf(await check(env, "staging"), "env.005")).toBeNull();
  });
  test("an unknown ID in SECURITY_CHECK_SILENCE warns", async () => {
    const bad = await quickEnv({ SECURITY_CHECK_SILENCE: "net.001, nope.999" });
    expect(severityOf(await check(bad, "production"), "env.006")).toBe("warning");
    const good = await quickEnv({ SECURITY_CHECK_SILENCE: "net.001,db.005" });
    expect(severityOf(await check(good, "production"), "env.006")).toBeNull();
  });
});

describe("net.*", () => {
  test("net.001: TRUST_PROXY=fly without FLY_APP_NAME warns in production (pinned)", async () => {
    const env = await quickEnv({ TRUST_PROXY: "fly" });
    expect(severityOf(await check(env, "production"), "net.001")).toBe("warning");
    expect(severityOf(await check(env, "development"), "net.001")).toBe("info");
    const onFly = await quickEnv({ TRUST_PROXY: "fly", FLY_APP_NAME: "trading" });
    expect(severityOf(await check(onFly, "production"), "net.001")).toBeNull();
  });
  test("net.002: implausible xff depth warns; xff on Fly is a hint", async () => {
    expect(
      severityOf(await check(await quickEnv({ TRUST_PROXY: "xff:7" }), "production"), "net.002"),
    ).toBe("warning");
    expect(
      severityOf(await check(await quickEnv({ TRUST_PROXY: "xff:1" }), "production"), "net.002"),
    ).toBeNull();
    const onFly = await quickEnv({ TRUST_PROXY: "xff:1", FLY_APP_NAME: "trading" });
    expect(severityOf(await check(onFly, "production"), "net.002")).toBe("info");
  });
  test("net.003: HOST must be an address or host name", async () => {
    // 256.1.1.1 has the shape of DNS labels but is no address: the bind failed with ENOENT.
    for (const host of ["http://0.0.0.0", "0.0.0.0:8080", "bad host", "256.1.1.1", "10.0.0"]) {
      expect(severityOf(await check(await quickEnv({ HOST: host }), "production"), "net.003")).toBe(
        "error",
      );
    }
    for (const host of ["0.0.0.0", "::", "[::]", "127.0.0.1", "api.example.com"]) {
      expect(
        severityOf(await check(await quickEnv({ HOST: host }), "production"), "net.003"),
      ).toBeNull();
    }
  });
  test("net.004: all interfaces in development is an info", async () => {
    const env = await quickEnv({ HOST: "0.0.0.0" });
    expect(severityOf(await check(env, "development"), "net.004")).toBe("info");
    expect(severityOf(await check(env, "production"), "net.004")).toBeNull();
  });
  test("net.005: Fly.io without TRUST_PROXY warns", async () => {
    const env = await quickEnv({ FLY_APP_NAME: "trading" });
    expect(severityOf(await check(env, "production"), "net.005")).toBe("warning");
    expect(
      severityOf(await check({ ...env, TRUST_PROXY: "fly" }, "production"), "net.005"),
    ).toBeNull();
  });
});

describe("env.008 provider attempt timeout not under the total", () => {
  test.each([
    ["5s", "5s"],
    ["5s", "1s"],
  ])("attempt %p with total %p warns everywhere", async (attempt, total) => {
    const env = await quickEnv({
      PROVIDER_ATTEMPT_TIMEOUT: attempt,
      PROVIDER_TOTAL_TIMEOUT: total,
    });
    for (const environment of ["production", "staging", "development"] as const) {
      expect(severityOf(await check(env, environment), "env.008")).toBe("warning");
    }
  });
  test("the defaults, and an attempt under the total, pass", async () => {
    expect(withId(await check(await quickEnv(), "production"), "env.008")).toEqual([]);
    const env = await quickEnv({ PROVIDER_ATTEMPT_TIMEOUT: "4s", PROVIDER_TOTAL_TIMEOUT: "5s" });
    expect(withId(await check(env, "production"), "env.008")).toEqual([]);
  });
});
