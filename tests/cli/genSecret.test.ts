import { expect, test } from "bun:test";
import { drawSecret, runGenSecret } from "../../src/cli/genSecret.ts";
import { assessSecret } from "../../src/security/secretStrength.ts";
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
  [["--bytes", "23"]], // 31 characters: below the check's 32
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

test("the smallest size passes the check's secret rules", () => {
  const c = captureIo();
  expect(runGenSecret(["--bytes", "24"], c.io)).toBe(0);
  expect(assessSecret(c.stdout().trim())).toBeUndefined();
});

test("a draw the check would flag is drawn again", () => {
  // 24 bytes spelling "…your-…" in base64url, then random ones.
  const flagged = Buffer.from("AAAAAAAAyour-AAAAAAAAAAAAAAAAAAA", "base64url");
  expect(assessSecret(flagged.toString("base64url"))).toBe("placeholder");
  const draws = [flagged];
  const secret = drawSecret(24, (n) => draws.shift() ?? crypto.getRandomValues(new Uint8Array(n)));
  expect(draws).toEqual([]);
  expect(secret).not.toBe(flagged.toString("base64url"));
  expect(assessSecret(secret)).toBeUndefined();
});
