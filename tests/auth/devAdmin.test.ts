import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDevAdmin } from "../../src/auth/devAdmin.ts";
import { verifyPassword } from "../../src/auth/passwords.ts";

test("generates an owner-only password once, with a matching argon2id hash, and reuses both", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "dev-admin-")), "data");
  const first = await ensureDevAdmin(dir);
  const password = readFileSync(first.passwordFile, "utf8").trim();
  expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
  expect(statSync(first.passwordFile).mode & 0o777).toBe(0o600);
  expect(first.passwordHash).toStartWith("$argon2id$");
  expect(await verifyPassword(first.passwordHash, password)).toBe(true);

  const second = await ensureDevAdmin(dir);
  expect(second.passwordHash).toBe(first.passwordHash);
  expect(readFileSync(second.passwordFile, "utf8").trim()).toBe(password);
});
