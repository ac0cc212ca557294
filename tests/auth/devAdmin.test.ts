import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDevAdmin } from "../../src/auth/devAdmin.ts";

test("generates an owner-only password once and reuses it", () => {
  const dir = join(mkdtempSync(join(tmpdir(), "dev-admin-")), "data");
  const first = ensureDevAdmin(dir);
  expect(first.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
  expect(readFileSync(first.passwordFile, "utf8")).toBe(`${first.password}\n`);
  expect(statSync(first.passwordFile).mode & 0o777).toBe(0o600);
  expect(statSync(dir).mode & 0o777).toBe(0o700);
  expect(ensureDevAdmin(dir)).toEqual(first);
});
