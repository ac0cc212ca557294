import { expect, test } from "bun:test";
import { runGenSecret } from "../../src/cli/genSecret.ts";
import { captureIo } from "../support/captureIo.ts";

test("32 random bytes by default, base64url, different each time", () => {
  const a = captureIo();
  const b = captureIo();
  expect(runGenSecret([], a.io)).toBe(0);
  runGenSecret([], b.io);
  const secret = a.stdout().trim();
  expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(Buffer.from(secret, "base64url")).toHaveLength(32);
  expect(b.stdout().trim()).not.toBe(secret);
});

test("--bytes N and --bytes=N", () => {
  for (const args of [["--bytes", "48"], ["--bytes=48"]]) {
    const c = captureIo();
    expect(runGenSecret(args, c.io)).toBe(0);
    expect(Buffer.from(c.stdout().trim(), "base64url")).toHaveLength(48);
  }
});

test.each([
  [["--bytes", "8"]],
  [["--bytes", "x"]],
  [["--bytes"]],
  [["--size", "32"]],
  [["--bytes", "99999"]],
  // The value is everything after the first `=`, not cut at the second.
  [["--bytes=48=1"]],
])("%p is a usage error", (args) => {
  const c = captureIo();
  expect(runGenSecret(args, c.io)).toBe(2);
  expect(c.stdout()).toBe("");
});
