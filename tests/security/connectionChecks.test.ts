import { describe, expect, test } from "bun:test";
import { parseConnectionUrl } from "../../src/security/connectionUrl.ts";
import { isTrustedHost } from "../../src/security/index.ts";
import { parseDatabaseUrl } from "../../src/storage/url.ts";
import { check, quickEnv, randomSecret, severityOf, withId } from "./support.ts";

const STRONG = randomSecret(32);
const pg = (auth: string, host: string, query = "") =>
  `postgres://${auth}@${host}:5432/trading${query}`;

describe("trusted hosts (pinned)", () => {
  test.each([
    "127.0.0.1",
    "127.10.0.3",
    "localhost",
    "::1",
    "[::1]",
    "0:0:0:0:0:0:0:1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "[::ffff:7f00:1]",
    "my-redis.internal",
    "trading-db.flycast",
    "fdaa:0:1a2b::3",
    "[fdaa::2]",
    "",
  ])("%p is trusted", (host) => expect(isTrustedHost(host)).toBe(true));
  test.each([
    "db.example.com",
    "10.0.0.5",
    "192.168.1.2",
    "128.0.0.1",
    "fdab::1",
    "internal.example.com",
    "fdaa.example.com",
    "::2",
    // glibc resolves these through DNS, not to loopback.
    "cache.localhost",
    "db.localhost.",
    "::ffff:a00:5",
    "::ffff:8000:1",
  ])("%p is not", (host) => expect(isTrustedHost(host)).toBe(false));

  test("a loopback URL written [::ffff:127.0.0.1] is trusted as the URL parser reads it", () => {
    const url = new URL("redis://:p@[::ffff:127.0.0.1]:6379");
    expect(isTrustedHost(url.hostname)).toBe(true);
  });
});

describe("parseConnectionUrl", () => {
  test("tells user@host from user:@host and decodes the password", () => {
    expect(parseConnectionUrl("postgres://u@h/db")?.password).toBeUndefined();
    expect(parseConnectionUrl("postgres://u:@h/db")?.password).toBe("");
    expect(parseConnectionUrl("redis://:p%40ss@h:6379")?.password).toBe("p@ss");
    expect(parseConnectionUrl("not a url")).toBeUndefined();
  });
});

describe("db.001 default credentials", () => {
  test.each([
    pg("postgres:postgres", "db.example.com"),
    pg("postgres", "db.example.com"),
    pg("root:", "db.example.com"),
    pg("admin:changeme", "db.example.com"),
    pg("trader:trader", "db.example.com"),
    pg("trader:TradingSystem2024!", "db.example.com"),
  ])("%p: critical in production, error in staging, warning in development", async (url) => {
    const env = await quickEnv({ DATABASE_URL: `${url}?sslmode=verify-full` });
    expect(severityOf(await check(env, "production"), "db.001")).toBe("critical");
    expect(severityOf(await check(env, "staging"), "db.001")).toBe("error");
    expect(severityOf(await check(env, "development"), "db.001")).toBe("warning");
  });
  test("a default user with a strong password passes", async () => {
    const env = await quickEnv({
      DATABASE_URL: pg(`postgres:${STRONG}`, "db.example.com", "?sslmode=verify-full"),
    });
    expect(severityOf(await check(env, "production"), "db.001")).toBeNull();
  });
});

describe("db.002 PostgreSQL TLS", () => {
  test.each([
    ["", "error", "warning"],
    ["?sslmode=disable", "error", "warning"],
    ["?sslmode=allow", "error", "warning"],
    ["?sslmode=prefer", "error", "warning"],
    ["?sslmode=require", "warning", "info"],
    ["?sslmode=verify-ca", "info", null],
    ["?sslmode=verify-full", null, null],
  ])("%p off a trusted host → %p in production, %p in staging", async (query, prod, staging) => {
    const env = await quickEnv({ DATABASE_URL: pg(`trader:${STRONG}`, "db.example.com", query) });
    expect(severityOf(await check(env, "production"), "db.002")).toBe(prod);
    expect(severityOf(await check(env, "staging"), "db.002")).toBe(staging);
    expect(severityOf(await check(env, "development"), "db.002")).toBeNull();
  });
  test.each([
    "127.0.0.1",
    "trading-db.flycast",
    "top1.nearest.of.trading-db.internal",
    "[fdaa:0:1::5]",
  ])("plain text on %p is accepted", async (host) => {
    const env = await quickEnv({ DATABASE_URL: pg(`trader:${STRONG}`, host, "?sslmode=disable") });
    expect(severityOf(await check(env, "production"), "db.002")).toBeNull();
  });
});

describe("db.006: only URLs the server can open pass", () => {
  test.each([
    "?sslmode=verify-full&sslmode=disable",
    "?sslmode=verify-full&host=evil.example.com",
    "?hostaddr=10.0.0.9&sslmode=verify-full",
    // The driver reads TLS from these too, and the later setting wins: plain text behind a
    // URL whose sslmode reads verify-full.
    "?sslmode=verify-full&ssl=false",
    "?sslmode=verify-full&tls=false",
    "?sslmode=verify-full&sslMode=disable",
    "?sslmode=verify-full&SSLMODE=disable",
    "?SSL=0&sslmode=verify-full",
    // Modes libpq does not spell this way; names inherited from Object.prototype.
    "?sslmode=VERIFY-FULL",
    "?sslmode=verify-full%20",
    "?sslmode=constructor",
    "?sslmode=__proto__",
    // Other spellings the driver folds into sslmode, and keys it reads ahead of the
    // authority (credentials, port, database, a local socket that turns TLS off).
    "?sslmode=verify-full&ssl-mode=disable",
    "?sslmode=verify-full&SSL_MODE=disable",
    "?sslmode=verify-full&user=postgres&password=postgres",
    "?sslmode=verify-full&port=6543",
    "?sslmode=verify-full&dbname=other",
    "?sslmode=verify-full&path=/tmp",
    "?sslmode=verify-full&socket=/tmp/.s.PGSQL.5432",
    "?%73slmode=verify-full",
    "?sslmode=verify%2Dfull",
    "?sslmode=verify-full#x",
  ])("an ambiguous query %p is an error, and serve and migrate refuse it", async (query) => {
    const url = `postgres://trader:${STRONG}@db.example.com:5432/trading${query}`;
    const env = await quickEnv({ DATABASE_URL: url });
    const report = await check(env, "production");
    expect(severityOf(report, "db.006")).toBe("error");
    expect(JSON.stringify(report)).not.toContain(STRONG);
    expect(() => parseDatabaseUrl(url)).toThrow(/DATABASE_URL/);
    expect(() => parseDatabaseUrl(url)).not.toThrow(STRONG);
  });

  test("a malformed %-escape in the password is refused before the driver throws on it", async () => {
    const url =
      "postgres://trader:p%zzXk29fLq7Vb3nM8@db.example.com:5432/trading?sslmode=verify-full";
    const report = await check(await quickEnv({ DATABASE_URL: url }), "production");
    expect(severityOf(report, "db.006")).toBe("error");
    expect(JSON.stringify(report)).not.toContain("p%zz");
  });

  test("a raw / in the password is refused (the host would be the user name), never echoed", async () => {
    const url = `postgres://trader:/${STRONG}@db.example.com:5432/trading?sslmode=verify-full`;
    const report = await check(await quickEnv({ DATABASE_URL: url }), "production");
    expect(severityOf(report, "db.006")).toBe("error");
    expect(JSON.stringify(report)).not.toContain(STRONG);
  });

  test("sslrootcert is refused whole, naming where a private CA goes", async () => {
    const url = `postgres://trader:${STRONG}@db.example.com:5432/trading?sslmode=verify-full&sslrootcert=/etc/ca.pem`;
    const [finding] = withId(
      await check(await quickEnv({ DATABASE_URL: url }), "production"),
      "db.006",
    );
    expect(finding?.message).toEndWith(
      "(a private CA goes in NODE_EXTRA_CA_CERTS, not sslrootcert)",
    );
  });

  test("sslmode once, with a trailing &, is accepted", () => {
    expect(() =>
      parseDatabaseUrl(`postgres://trader:${STRONG}@db.example.com/trading?sslmode=verify-full&`),
    ).not.toThrow();
  });

  test.each([
    "file:/var/lib/ts/x.db",
    "sqlite:./x.db",
    ":memory:",
    "sqlite://",
    "mysql://u:p@h/db",
  ])("%p is an error in every environment", async (url) => {
    const env = await quickEnv({ DATABASE_URL: url });
    for (const environment of ["production", "staging", "development"] as const) {
      expect(severityOf(await check(env, environment), "db.006")).toBe("error");
    }
  });
});

describe("db.006/007: SQLite paths serve and migrate cannot use", () => {
  test.each([
    "sqlite:///",
    "sqlite://./data/",
    "sqlite:///var/lib/trading/",
    "sqlite://.",
    "sqlite://..",
    "sqlite://./data/.",
    "sqlite://./data/..",
  ])("%p names a directory: an error everywhere, refused by the parser", async (url) => {
    const env = await quickEnv({ DATABASE_URL: url });
    for (const environment of ["production", "staging", "development"] as const) {
      expect(severityOf(await check(env, environment), "db.006")).toBe("error");
    }
    expect(() => parseDatabaseUrl(url)).toThrow(/names a directory/);
  });

  test.each([
    "sqlite://./data/trading.db",
    "sqlite:///var/lib/trading/x.db",
    "sqlite://data/.db",
    "sqlite://a..b",
  ])("%p names a file and passes", async (url) => {
    const env = await quickEnv({ DATABASE_URL: url });
    expect(severityOf(await check(env, "production"), "db.006")).toBeNull();
    expect(parseDatabaseUrl(url)).toEqual({ dialect: "sqlite", filename: url.slice(9) });
  });

  test("db.007: an in-memory database is an error in staging and production only", async () => {
    const env = await quickEnv({ DATABASE_URL: " sqlite://:memory: " });
    expect(severityOf(await check(env, "production"), "db.007")).toBe("error");
    expect(severityOf(await check(env, "staging"), "db.007")).toBe("error");
    expect(severityOf(await check(env, "development"), "db.007")).toBeNull();
    const file = await quickEnv({ DATABASE_URL: "sqlite://./:memory:" });
    expect(severityOf(await check(file, "production"), "db.007")).toBeNull();
  });
});

describe("db.003–006", () => {
  test("db.003: no password warns unless PGPASSWORD is set", async () => {
    const env = await quickEnv({ DATABASE_URL: pg("trader", "db.internal") });
    expect(severityOf(await check(env, "production"), "db.003")).toBe("warning");
    expect(
      severityOf(await check({ ...env, PGPASSWORD: STRONG }, "production"), "db.003"),
    ).toBeNull();
  });
  test("db.004: placeholder password is an error, low-entropy one a warning", async () => {
    const placeholder = await quickEnv({
      DATABASE_URL: pg("trader:your_db_password_here_0123456789", "db.internal"),
    });
    expect(severityOf(await check(placeholder, "production"), "db.004")).toBe("error");
    const short = await quickEnv({ DATABASE_URL: pg("trader:Xk29fLq7", "db.internal") });
    expect(severityOf(await check(short, "production"), "db.004")).toBe("warning");
    expect(severityOf(await check(short, "development"), "db.004")).toBeNull();
  });
  test("db.005: SQLite is info, a warning on Fly.io (several machines)", async () => {
    const env = await quickEnv({ DATABASE_URL: undefined });
    expect(severityOf(await check(env, "production"), "db.005")).toBe("info");
    expect(
      severityOf(
        await check({ ...env, FLY_APP_NAME: "trading", TRUST_PROXY: "fly" }, "production"),
        "db.005",
      ),
    ).toBe("warning");
    expect(severityOf(await check(env, "development"), "db.005")).toBeNull();
  });
  test.each(["mysql://u:p@h/db", "postgres://[bad", "nonsense"])(
    "db.006: %p is an error everywhere",
    async (url) => {
      const env = await quickEnv({ DATABASE_URL: url });
      expect(severityOf(await check(env, "production"), "db.006")).toBe("error");
      expect(severityOf(await check(env, "development"), "db.006")).toBe("error");
    },
  );
});

describe("redis.*", () => {
  test("redis.001: a password in REDIS_URL satisfies the requirement (pinned)", async () => {
    const none = await quickEnv({ REDIS_PASSWORD: undefined });
    expect(severityOf(await check(none, "production"), "redis.001")).toBe("error");
    expect(severityOf(await check(none, "staging"), "redis.001")).toBe("warning");
    expect(severityOf(await check(none, "development"), "redis.001")).toBeNull();
    const inUrl = await quickEnv({
      REDIS_PASSWORD: undefined,
      REDIS_URL: `redis://:${STRONG}@127.0.0.1:6379`,
    });
    expect(severityOf(await check(inUrl, "production"), "redis.001")).toBeNull();
  });
  test("redis.002: redis:// off trusted hosts needs rediss://", async () => {
    const plain = await quickEnv({ REDIS_URL: "redis://cache.example.com:6379" });
    expect(severityOf(await check(plain, "production"), "redis.002")).toBe("error");
    expect(severityOf(await check(plain, "staging"), "redis.002")).toBe("warning");
    for (const url of [
      "rediss://cache.example.com:6380",
      "redis://trading-redis.internal:6379",
      "redis://[fdaa::9]:6379",
    ]) {
      expect(
        severityOf(await check(await quickEnv({ REDIS_URL: url }), "production"), "redis.002"),
      ).toBeNull();
    }
  });
  test("redis.002: Fly's Upstash endpoint (fly-<name>.upstash.io) is private only on Fly", async () => {
    const url = "redis://fly-late-waterfall-1133.upstash.io:6379";
    const onFly = await quickEnv({ REDIS_URL: url, FLY_APP_NAME: "trading-server" });
    expect(severityOf(await check(onFly, "production"), "redis.002")).toBeNull();
    const elsewhere = await quickEnv({ REDIS_URL: url });
    expect(severityOf(await check(elsewhere, "production"), "redis.002")).toBe("error");
    // Not a prefix or suffix game.
    for (const host of [
      "fly-x.upstash.io.evil.example",
      "eu1-fly-x.upstash.io",
      "fly-.upstash.io",
    ]) {
      const env = await quickEnv({ REDIS_URL: `redis://${host}:6379`, FLY_APP_NAME: "app" });
      expect(severityOf(await check(env, "production"), "redis.002")).toBe("error");
    }
  });
  test("redis.003: known password is critical, weak one an error", async () => {
    const known = await quickEnv({ REDIS_PASSWORD: "foobared" });
    expect(severityOf(await check(known, "production"), "redis.003")).toBe("critical");
    expect(severityOf(await check(known, "staging"), "redis.003")).toBe("error");
    expect(severityOf(await check(known, "development"), "redis.003")).toBe("warning");
    const weakInUrl = await quickEnv({
      REDIS_PASSWORD: undefined,
      REDIS_URL: "redis://:Xk29fLq7@127.0.0.1:6379",
    });
    expect(severityOf(await check(weakInUrl, "production"), "redis.003", "REDIS_URL")).toBe(
      "error",
    );
  });
  test("redis.004: not a Redis URL", async () => {
    const env = await quickEnv({ REDIS_URL: "http://127.0.0.1:6379" });
    expect(severityOf(await check(env, "production"), "redis.004")).toBe("error");
    expect(withId(await check(await quickEnv(), "production"), "redis.004")).toEqual([]);
  });
  test("redis.004: a path the client refuses as a database number, as serve would", async () => {
    for (const path of ["/abc", "/3/4", "/-1"]) {
      const env = await quickEnv({ REDIS_URL: `redis://127.0.0.1:6379${path}` });
      expect([path, severityOf(await check(env, "production"), "redis.004")]).toEqual([
        path,
        "error",
      ]);
    }
    const numbered = await quickEnv({ REDIS_URL: "redis://127.0.0.1:6379/3" });
    expect(withId(await check(numbered, "production"), "redis.004")).toEqual([]);
  });
  test("redis.006: a database number past a default Redis's 16 warns, in every environment", async () => {
    for (const path of ["/16", "/0016", "/+16", "/4294967295"]) {
      const env = await quickEnv({ REDIS_URL: `rediss://cache.example.com:6380${path}` });
      for (const environment of ["production", "staging", "development"] as const) {
        expect([path, severityOf(await check(env, environment), "redis.006")]).toEqual([
          path,
          "warning",
        ]);
      }
    }
    const huge = await quickEnv({
      REDIS_URL: "rediss://cache.example.com:6380/0100000000000000000000000",
    });
    expect(withId(await check(huge, "production"), "redis.006")[0]?.message).toContain(
      "database 100000000000000000000000:",
    );
    for (const path of ["", "/", "/0", "/15", "/015", "/00000000015"]) {
      const env = await quickEnv({ REDIS_URL: `rediss://cache.example.com:6380${path}` });
      expect([path, withId(await check(env, "production"), "redis.006")]).toEqual([path, []]);
    }
  });
  test("redis.005: a password in the query string is named, never echoed, and not counted", async () => {
    const secret = "q-string-password-9f3Kx2Lm8Qw7Zt";
    const env = await quickEnv({
      REDIS_PASSWORD: undefined,
      REDIS_URL: `rediss://cache.example.com:6380/0?PASSWORD=${secret}&db=0`,
    });
    const report = await check(env, "production");
    expect(severityOf(report, "redis.005")).toBe("error");
    expect(severityOf(await check(env, "development"), "redis.005")).toBe("warning");
    // Bun's client ignores it, so the server has no password: redis.001 too.
    expect(severityOf(report, "redis.001")).toBe("error");
    expect(JSON.stringify(report)).not.toContain(secret);
    expect(withId(report, "redis.005")[0]?.message).toContain("PASSWORD");
    const clean = await quickEnv({ REDIS_URL: "rediss://cache.example.com:6380/0?db=0" });
    expect(withId(await check(clean, "production"), "redis.005")).toEqual([]);
  });
});
