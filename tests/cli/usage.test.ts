/** `--help` and `COMMAND --help` print the usage and exit 0; the usage names every command's options. */
import { expect, test } from "bun:test";
import { main } from "../../src/main.ts";
import { captureIo } from "../support/captureIo.ts";

test.each([
  [["--help"]],
  [["-h"]],
  [["help"]],
  [["migrate", "--help"]],
  [["backup", "-h"]],
  [["audit", "verify", "--help"]],
  [["check", "--help"]],
  [["gen-secret", "--bytes", "48", "--help"]],
  [["help", "migrate"]],
  [["--help", "--bogus"]],
])("%p prints the usage and exits 0", async (args) => {
  const c = captureIo();
  expect(await main(args, {}, c.io)).toBe(0);
  expect(c.stdout()).toStartWith("usage:");
  expect(c.stderr()).toBe("");
});

test("the usage lists each command's options", async () => {
  const c = captureIo();
  await main(["--help"], {}, c.io);
  for (const line of [
    "migrate [--environment ENV]",
    "audit verify [--environment ENV]",
    "backup [--environment ENV] [--output-dir DIR]",
    "revoke-all [--environment ENV]",
    "gen-secret [--bytes N]",
  ]) {
    expect(c.stdout()).toContain(line);
  }
});

test.each([[["--version", "--bogus"]], [["-v", "x"]]])(
  "%p: --version takes no arguments (usage error, 2)",
  async (args) => {
    const c = captureIo();
    expect(await main(args, {}, c.io)).toBe(2);
    expect(c.stdout()).toBe("");
    expect(c.stderr()).toContain("takes no arguments");
  },
);

test("--version alone prints the version", async () => {
  const c = captureIo();
  expect(await main(["--version"], {}, c.io)).toBe(0);
  expect(c.stdout()).toMatch(/^trading-server \d+\.\d+\.\d+\n$/);
});

test("an unknown option is still a usage error", async () => {
  const c = captureIo();
  expect(await main(["migrate", "--bogus"], {}, c.io)).toBe(2);
  expect(c.stderr()).toContain('unknown option "--bogus"');
});

test("the check's options may come before --check", async () => {
  const env = { ENVIRONMENT: "development" };
  const before = captureIo();
  const after = captureIo();
  const code = await main(
    ["--environment", "production", "--format=json", "--check"],
    env,
    before.io,
  );
  expect(
    await main(["--check", "--environment", "production", "--format=json"], env, after.io),
  ).toBe(code);
  expect(code).toBe(1);
  expect(JSON.parse(before.stdout())).toEqual(JSON.parse(after.stdout()));
  expect(JSON.parse(before.stdout()).environment).toBe("production");
  // A bad option stays a usage error wherever it stands.
  expect(await main(["--bogus", "--check"], env, captureIo().io)).toBe(2);
});

test.each([
  [["--bogus"], 'unknown option "--bogus"'],
  [["bogus"], 'unknown command "bogus"'],
])("%p is a usage error that says what it is", async (args, message) => {
  const c = captureIo();
  expect(await main(args, {}, c.io)).toBe(2);
  expect(c.stderr()).toStartWith(`trading-server: ${message}\n`);
});
