import { describe, expect, test } from "bun:test";
import { runCheck, runGate } from "../../src/cli/check.ts";
import { quickEnv, strongProductionEnv } from "./support.ts";

async function run(args: string[], env: Record<string, string | undefined>) {
  let stdout = "";
  let stderr = "";
  const code = await runCheck(args, env, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
  });
  return { code, stdout, stderr };
}

describe("check exit codes", () => {
  test("0 for the strong production configuration (argon2id hash)", async () => {
    const result = await run(["--environment", "production"], await strongProductionEnv());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Result: OK.");
    expect(result.stderr).toBe("");
  });
  test("1 for an empty environment (production by default, fail closed)", async () => {
    const result = await run([], {});
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Security check (production)");
    expect(result.stdout).toContain("SECURITY_SECRET_KEY: (secret.001)");
  });
  test.each([
    [["--environment", "prod"], {}],
    [["--environment=prod"], {}],
    [[], { ENVIRONMENT: "prod" }],
    [["--bogus"], {}],
    [["--format", "xml"], {}],
    [["--fail-level", "debug"], {}],
    [["--fail-level"], {}],
    [["--format="], {}],
    [["--silence", "nope.001"], {}],
    [["positional"], {}],
  ])("2 (usage) for %p with %p", async (args, env) => {
    const result = await run(args, env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("usage:");
  });
  test("the flag overrides ENVIRONMENT", async () => {
    const result = await run(["--environment=development"], { ENVIRONMENT: "production" });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Security check (development)");
  });
});

describe("--format json", () => {
  test("prints exactly one parseable document in the pinned shape", async () => {
    const result = await run(["--format", "json"], { SECURITY_SECRET_KEY: "TradingSystem2024!" });
    expect(result.code).toBe(1);
    expect(result.stdout.endsWith("\n")).toBe(true);
    expect(result.stdout.trimEnd().split("\n")).toHaveLength(1);
    const doc = JSON.parse(result.stdout);
    expect(Object.keys(doc)).toEqual(["environment", "ok", "summary", "findings"]);
    expect(doc.environment).toBe("production");
    expect(doc.ok).toBe(false);
    expect(doc.summary.critical).toBe(1);
    expect(doc.findings[0]).toMatchObject({
      id: "secret.002",
      severity: "critical",
      variable: "SECURITY_SECRET_KEY",
    });
  });
  test("ok is true exactly when the exit code is 0", async () => {
    const env = await quickEnv();
    for (const failLevel of ["critical", "error", "warning", "info"]) {
      const result = await run(["--format=json", `--fail-level=${failLevel}`], env);
      expect(JSON.parse(result.stdout).ok).toBe(result.code === 0);
    }
  });
});

describe("fail level and silence", () => {
  // Development with an empty environment: secret.001 is a warning, env.002 an info.
  test.each([
    ["critical", 0],
    ["error", 0],
    ["warning", 1],
    ["info", 1],
  ])("--fail-level %s → %d", async (level, code) => {
    expect((await run(["--environment", "development", "--fail-level", level], {})).code).toBe(
      code,
    );
  });
  test("silencing hides and counts; repeatable and comma-separated", async () => {
    const args = ["--environment", "development", "--fail-level", "info", "--format", "json"];
    const one = await run([...args, "--silence", "secret.001"], {});
    expect(one.code).toBe(1);
    expect(JSON.parse(one.stdout).summary).toMatchObject({ warning: 0, info: 1, silenced: 1 });
    const both = await run([...args, "--silence", "secret.001", "--silence=env.002"], {});
    expect(both.code).toBe(0);
    expect(JSON.parse(both.stdout).summary.silenced).toBe(2);
    const list = await run([...args, "--silence", "secret.001,env.002"], {});
    expect(list.code).toBe(0);
  });
  test("SECURITY_CHECK_SILENCE silences too", async () => {
    const result = await run(["--environment", "development", "--fail-level", "info"], {
      SECURITY_CHECK_SILENCE: "secret.001,env.002",
    });
    expect(result.code).toBe(0);
  });
  test("a critical cannot be silenced in production: exit 1 and the report says so", async () => {
    const env = await quickEnv({ SECURITY_SECRET_KEY: "TradingSystem2024!" });
    const result = await run(["--silence", "secret.002,jwt.001"], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("(secret.002)");
    expect(result.stdout).toContain("cannot be silenced");
    const json = await run(["--format", "json", "--silence", "secret.002,jwt.001"], env);
    const doc = JSON.parse(json.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.summary).toMatchObject({ critical: 1, silenced: 1 });
    expect(doc.notes).toEqual([expect.stringContaining("secret.002")]);
  });
  test("the same silence works in staging, where it is an error", async () => {
    const env = await quickEnv({
      ENVIRONMENT: "staging",
      SECURITY_SECRET_KEY: "TradingSystem2024!",
    });
    expect((await run(["--silence", "secret.002,jwt.001"], env)).code).toBe(0);
  });
});

describe("runGate (serve)", () => {
  test("refuses an empty production environment and names the variables", async () => {
    const gate = await runGate({}, "production");
    expect(gate.ok).toBe(false);
    expect(gate.text).toContain("SECURITY_SECRET_KEY");
    expect(gate.text).toContain("ADMIN_PASSWORD_HASH");
  });
  test("accepts the strong production configuration and says nothing", async () => {
    const gate = await runGate(await strongProductionEnv(), "production");
    expect(gate).toEqual({ ok: true, text: "" });
  });
  test("development starts with warnings shown", async () => {
    const gate = await runGate({}, "development");
    expect(gate.ok).toBe(true);
    expect(gate.text).toContain("WARNINGS:");
  });
  test("honours SECURITY_CHECK_SILENCE but never for criticals in production", async () => {
    const silenced = await runGate(
      await quickEnv({ REDIS_PASSWORD: undefined, SECURITY_CHECK_SILENCE: "redis.001" }),
      "production",
    );
    expect(silenced.ok).toBe(true);
    const critical = await runGate(
      await quickEnv({
        SECURITY_SECRET_KEY: "TradingSystem2024!",
        SECURITY_CHECK_SILENCE: "secret.002,jwt.001",
      }),
      "production",
    );
    expect(critical.ok).toBe(false);
  });
});
