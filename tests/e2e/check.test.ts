/**
 * `--check` as a deploy pipeline runs it: the compiled binary, a clean
 * environment, exit codes and the pinned JSON document.
 */
import { describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import { baseEnv, runBinary, startServer } from "./support/process.ts";

interface Report {
  environment: string;
  ok: boolean;
  summary: Record<"critical" | "error" | "warning" | "info" | "silenced", number>;
  findings: Array<{
    id: string;
    severity: string;
    variable: string | null;
    message: string;
    hint: string | null;
  }>;
}

const parse = (stdout: string) => JSON.parse(stdout) as Report;

async function strongProductionEnv(): Promise<Record<string, string>> {
  const adminHash = await hash(randomBytes(24).toString("base64url"), {
    algorithm: 2,
    memoryCost: 19456,
    timeCost: 2,
    parallelism: 1,
  });
  return baseEnv({
    SECURITY_SECRET_KEY: randomBytes(48).toString("base64url"),
    ADMIN_PASSWORD_HASH: adminHash,
    ADMIN_USERNAME: "desk-operator",
    REDIS_URL: "redis://127.0.0.1:6379",
    REDIS_PASSWORD: randomBytes(32).toString("base64url"),
    DATABASE_URL: `postgres://trader:${randomBytes(24).toString("hex")}@db.example.com:5432/trading?sslmode=verify-full`,
  });
}

describe("check --environment production", () => {
  test("an empty environment fails with errors on the secret, the admin hash and Redis", async () => {
    const result = await runBinary(
      ["--check", "--environment", "production", "--format", "json"],
      baseEnv(),
    );
    expect(result.code).toBe(1);
    const report = parse(result.stdout);
    expect(report.environment).toBe("production");
    expect(report.ok).toBe(false);
    const flagged = new Set(
      report.findings
        .filter((f) => ["error", "critical"].includes(f.severity))
        .map((f) => f.variable),
    );
    for (const variable of ["SECURITY_SECRET_KEY", "ADMIN_PASSWORD_HASH", "REDIS_URL"]) {
      expect(flagged.has(variable)).toBe(true);
    }
  });

  test("a strong configuration exits 0", async () => {
    const env = await strongProductionEnv();
    const result = await runBinary(
      ["check", "--environment", "production", "--format", "json"],
      env,
    );
    const report = parse(result.stdout);
    expect(
      report.findings.filter((f) => f.severity === "error" || f.severity === "critical"),
    ).toEqual([]);
    expect(result.code).toBe(0);
    expect(report.ok).toBe(true);
  });

  test("the seed's old default is critical and appears nowhere in the output", async () => {
    const env = { ...(await strongProductionEnv()), SECURITY_SECRET_KEY: "TradingSystem2024!" };
    for (const format of ["json", "text"]) {
      const result = await runBinary(
        ["--check", "--environment", "production", "--format", format],
        env,
      );
      expect(result.code).toBe(1);
      expect(result.stdout + result.stderr).not.toContain("TradingSystem2024!");
      if (format === "json") {
        const report = parse(result.stdout);
        const finding = report.findings.find((f) => f.variable === "SECURITY_SECRET_KEY");
        expect(finding?.severity).toBe("critical");
        expect(report.summary.critical).toBeGreaterThanOrEqual(1);
      }
    }
  });

  test("no secret value of a strong configuration is printed either", async () => {
    const env = await strongProductionEnv();
    const result = await runBinary(
      ["--check", "--environment", "production", "--fail-level", "info"],
      env,
    );
    for (const name of [
      "SECURITY_SECRET_KEY",
      "ADMIN_PASSWORD_HASH",
      "REDIS_PASSWORD",
      "DATABASE_URL",
    ]) {
      expect(result.stdout + result.stderr).not.toContain(env[name] as string);
    }
  });
});

describe("usage errors exit 2", () => {
  test.each([
    [["--check", "--environment", "prod"], {}],
    [["--check"], { ENVIRONMENT: "prod" }],
    [["--check", "--format", "xml"], {}],
    [["--check", "--fail-level", "fatal"], {}],
    [["--check", "--bogus"], {}],
    [["frobnicate"], {}],
  ])("%p %p", async (args, extra) => {
    const result = await runBinary(args, baseEnv(extra));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
  });
});

describe("other commands", () => {
  test("hash-password reads stdin and prints an argon2id hash with the pinned parameters", async () => {
    const result = await runBinary(["hash-password"], baseEnv(), {
      stdin: "correct horse battery\n",
    });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(
      /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/,
    );
    expect(result.stdout + result.stderr).not.toContain("correct horse");
  });

  test("hash-password refuses what no login could use or what it would have to guess", async () => {
    const cases: [string | Uint8Array, string][] = [
      ["short\n", "shorter than 8 characters"],
      ["\n", "the password is empty"],
      ["        \n", "the password is only whitespace"],
      // \xff is no UTF-8: replaced by U+FFFD, `pa\xffss…` and `pa\xfess…` were one password.
      [new Uint8Array([...Buffer.from("pa"), 0xff, ...Buffer.from("ssphrase")]), "not valid UTF-8"],
    ];
    for (const [stdin, message] of cases) {
      const result = await runBinary(["hash-password"], baseEnv(), { stdin });
      expect([result.code, result.stdout, result.stderr.includes(message)]).toEqual([1, "", true]);
    }
  });

  test("hash-password keeps every character it reads, a leading U+FEFF included", async () => {
    const password = "\ufeffpassphrase";
    const result = await runBinary(["hash-password"], baseEnv(), { stdin: password });
    expect(result.code).toBe(0);
    expect(await verify(result.stdout.trim(), password)).toBe(true);
    expect(await verify(result.stdout.trim(), "passphrase")).toBe(false);
  });

  test("gen-secret prints a fresh base64url secret", async () => {
    const result = await runBinary(["gen-secret", "--bytes", "48"], baseEnv());
    expect(result.code).toBe(0);
    expect(Buffer.from(result.stdout.trim(), "base64url")).toHaveLength(48);
  });

  test("--version and --help", async () => {
    expect((await runBinary(["--version"], baseEnv())).stdout).toMatch(
      /^trading-server \d+\.\d+\.\d+/,
    );
    const help = await runBinary(["--help"], baseEnv());
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--check");
  });
});

describe("an unusable TMPDIR (where Bun extracts the argon2 addon)", () => {
  const noTmp = { TMPDIR: "/nonexistent-trading-server-tmp" };
  const cause =
    "cannot load the argon2 addon: Bun extracts it into TMPDIR (/nonexistent-trading-server-tmp), which must exist, be writable and allow exec (docs/deploy.md)";
  test("hash-password says so in one line and exits 1", async () => {
    const hashed = await runBinary(["hash-password"], baseEnv(noTmp), { stdin: "a passphrase" });
    expect(hashed.code).toBe(1);
    expect(hashed.stderr).toBe(`trading-server: ${cause}\n`);
  });

  test("check reports it as an admin.009 error, and --format json still prints its one document", async () => {
    const env = baseEnv({ ...(await strongProductionEnv()), ...noTmp });
    const checked = await runBinary(["check", "--environment", "production"], env);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toContain(
      "(admin.009) could not be checked: the argon2 addon did not load",
    );
    const json = await runBinary(["check", "--environment", "production", "--format", "json"], env);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      findings: { id: string; severity: string; message: string }[];
    };
    expect(report.ok).toBe(false);
    expect(report.findings.filter((f) => f.id === "admin.009")).toEqual([
      expect.objectContaining({
        severity: "error",
        message:
          "could not be checked: the argon2 addon did not load (Bun extracts it into TMPDIR)",
      }),
    ]);
  });

  test("serve refuses it before binding even with admin.009 silenced", async () => {
    const env = baseEnv({
      ...(await strongProductionEnv()),
      ...noTmp,
      SECURITY_CHECK_SILENCE: "admin.009",
    });
    const served = await runBinary(["serve", "--environment", "staging"], env);
    expect(served.code).toBe(1);
    expect(served.stderr).toContain(cause);
  });

  test("a server past the gate (a bcrypt admin hash) says so at start and answers logins 500, every time", async () => {
    const hash = await Bun.password.hash(randomBytes(18).toString("base64url"), {
      algorithm: "bcrypt",
      cost: 10,
    });
    const server = await startServer(
      baseEnv({ ENVIRONMENT: "development", ADMIN_PASSWORD_HASH: hash, ...noTmp }),
    );
    try {
      for (let i = 0; i < 50 && !server.logs().includes("password hashing unavailable"); i++) {
        await Bun.sleep(50);
      }
      expect(server.logs()).toContain("password hashing unavailable: every login will fail");
      // Not a wrong password (401) and not a different error the second time.
      for (const username of ["admin", "nobody", "admin"]) {
        const res = await fetch(`${server.url}/v1/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ username, password: "whatever-it-is" }),
        });
        expect(res.status).toBe(500);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("internal");
      }
      // Each 500 is logged with the cause (the log arrives through a pipe: wait for it).
      const causes = () => server.logs().match(/cannot load the argon2 addon/g)?.length ?? 0;
      for (let i = 0; i < 40 && causes() < 4; i++) await Bun.sleep(50);
      expect(server.logs()).not.toContain("is not a function");
      expect(causes()).toBeGreaterThanOrEqual(4);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
