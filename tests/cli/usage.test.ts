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

test("an unknown option is still a usage error", async () => {
  const c = captureIo();
  expect(await main(["migrate", "--bogus"], {}, c.io)).toBe(2);
  expect(c.stderr()).toContain('unknown option "--bogus"');
});
