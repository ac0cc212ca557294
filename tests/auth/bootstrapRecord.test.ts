/**
 * What the admin bootstrap remembers between starts: a hash replaced since is
 * not applied again, a moved ADMIN_USERNAME, records of earlier versions (a bare
 * fingerprint, which a rolled-back binary still reads), and the start-up line.
 */
import { expect, test } from "bun:test";
import { fingerprintOf } from "../../src/auth/bootstrapRecord.ts";
import { bootstrapAdmin, hashPassword, logBootstrap } from "../../src/auth/index.ts";
import { createUserStore } from "../../src/auth/users.ts";
import { createLogger } from "../../src/telemetry/logger.ts";
import { describeEachDatabase } from "../support/databases.ts";
import { buildAuthHarness } from "./support/authApp.ts";
import { base, outcomeOf } from "./support/bootstrapConfig.ts";

describeEachDatabase(
  "bootstrap record",
  (t) => {
    test("a hash applied once and replaced since is not applied again (stale configuration)", async () => {
      const first = { ...base, ADMIN_PASSWORD_HASH: await hashPassword("given-up-password-1") };
      const second = { ...base, ADMIN_PASSWORD_HASH: await hashPassword("current-password-2") };
      expect(await outcomeOf(t.db(), first)).toBe("created");
      expect(await outcomeOf(t.db(), second)).toBe("updated");
      const h = await buildAuthHarness(t.db(), { bootstrap: false });
      const pair = await h.login("root", "current-password-2");
      // An instance still configured with the first hash starts: nothing changes, nobody is signed out.
      expect(await outcomeOf(t.db(), first)).toBe("superseded");
      expect((await h.auth.users.findByUsername("root"))?.passwordHash).toBe(
        second.ADMIN_PASSWORD_HASH,
      );
      expect((await h.send("/v1/auth/me", { token: pair.access_token })).status).toBe(200);
      expect(await outcomeOf(t.db(), second)).toBe("unchanged");
      // The same password hashed anew is a new hash: the break-glass still works with it.
      const again = { ...base, ADMIN_PASSWORD_HASH: await hashPassword("given-up-password-1") };
      expect(await outcomeOf(t.db(), again)).toBe("updated");
      expect((await h.send("/v1/auth/me", { token: pair.access_token })).status).toBe(401);
    });

    test("an admin account disabled or demoted since its hash was applied is left so, and said to be", async () => {
      const config = { ...base, ADMIN_PASSWORD_HASH: await hashPassword("bootstrap-password-1") };
      expect(await outcomeOf(t.db(), config)).toBe("created");
      const users = createUserStore(t.db());
      const root = await users.findByUsername("root");
      await users.update(root?.id as string, { disabled: true }, 2);
      expect(await bootstrapAdmin(t.db(), config)).toEqual({
        outcome: "unchanged",
        inactive: { disabled: true, role: "admin" },
      });
      await users.update(root?.id as string, { disabled: false, role: "viewer" }, 3);
      expect(await bootstrapAdmin(t.db(), config)).toEqual({
        outcome: "unchanged",
        inactive: { disabled: false, role: "viewer" },
      });
      expect(await users.findByUsername("root")).toMatchObject({ role: "viewer", disabled: false });
    });

    test("a moved ADMIN_USERNAME makes that account the admin and names the earlier one left enabled", async () => {
      const hash = await hashPassword("shared-admin-password");
      expect(await bootstrapAdmin(t.db(), { ...base, ADMIN_PASSWORD_HASH: hash })).toEqual({
        outcome: "created",
      });
      const users = createUserStore(t.db());
      const bob = await users.create({ username: "bob", passwordHash: hash, role: "viewer" }, 1);
      // Same hash, another existing account: it becomes the admin, not "unchanged".
      const moved = { ...base, ADMIN_USERNAME: "bob", ADMIN_PASSWORD_HASH: hash };
      expect(await bootstrapAdmin(t.db(), moved)).toEqual({
        outcome: "updated",
        formerAdmin: "root",
      });
      expect(await users.findById(bob.id)).toMatchObject({ role: "admin", disabled: false });
      expect(await outcomeOf(t.db(), moved)).toBe("unchanged");
      const fresh = { ...base, ADMIN_USERNAME: "ops", ADMIN_PASSWORD_HASH: hash };
      expect(await bootstrapAdmin(t.db(), fresh)).toEqual({
        outcome: "created",
        formerAdmin: "bob",
      });
      // Disabled, the earlier admin is no longer worth a warning.
      await users.update(bob.id, { disabled: true }, 2);
      const next = { ...fresh, ADMIN_PASSWORD_HASH: await hashPassword("next-admin-password") };
      expect(await bootstrapAdmin(t.db(), next)).toEqual({ outcome: "updated" });
    });

    test("a record written before accounts were remembered (a bare fingerprint) reads as unchanged", async () => {
      const hash = await hashPassword("upgrade-password-1");
      expect(await outcomeOf(t.db(), { ...base, ADMIN_PASSWORD_HASH: hash })).toBe("created");
      const h = await buildAuthHarness(t.db(), { bootstrap: false });
      const pair = await h.login("root", "upgrade-password-1");
      const legacy = new Bun.CryptoHasher("sha256").update(hash).digest("hex");
      await t.db().sql`UPDATE settings SET value = ${legacy} WHERE key = 'auth.admin_bootstrap'`;
      expect(await outcomeOf(t.db(), { ...base, ADMIN_PASSWORD_HASH: hash })).toBe("unchanged");
      expect((await h.send("/v1/auth/me", { token: pair.access_token })).status).toBe(200);
      const [row] = await t.db().sql<{ value: string }>`
        SELECT value FROM settings WHERE key = 'auth.admin_bootstrap_history'`;
      expect(JSON.parse(row?.value as string)).toMatchObject({ fingerprint: legacy, retired: [] });
      expect(row?.value).not.toContain(hash);
    });

    test("earlier versions keep reading the bare fingerprint; a hash one of them applied is reconciled", async () => {
      const settingOf = async (key: string) =>
        (await t.db().sql<{ value: string }>`SELECT value FROM settings WHERE key = ${key}`)[0]
          ?.value;
      const first = { ...base, ADMIN_PASSWORD_HASH: await hashPassword("rollback-password-1") };
      expect(await outcomeOf(t.db(), first)).toBe("created");
      // What a rolled-back binary compares with its configured hash's fingerprint: "unchanged".
      expect(await settingOf("auth.admin_bootstrap")).toBe(
        fingerprintOf(first.ADMIN_PASSWORD_HASH),
      );
      // That binary applies a break-glass hash: it writes the bare fingerprint and the password only.
      const second = { ...base, ADMIN_PASSWORD_HASH: await hashPassword("rollback-password-2") };
      const fp = fingerprintOf(second.ADMIN_PASSWORD_HASH);
      await t.db().sql`UPDATE settings SET value = ${fp} WHERE key = 'auth.admin_bootstrap'`;
      await t.db().sql`UPDATE users SET password_hash = ${second.ADMIN_PASSWORD_HASH}
        WHERE username = 'root'`;
      // Rolled forward: the hash it applied is current, the one before it is replaced.
      expect(await outcomeOf(t.db(), second)).toBe("unchanged");
      expect(await outcomeOf(t.db(), first)).toBe("superseded");
      expect(JSON.parse((await settingOf("auth.admin_bootstrap_history")) as string)).toMatchObject(
        { fingerprint: fp, retired: [fingerprintOf(first.ADMIN_PASSWORD_HASH)] },
      );
    });
  },
  { fresh: "test" },
);

test("the start-up line names the account; a stale hash and an earlier admin are warnings saying what to do", () => {
  const lines: string[] = [];
  const logger = createLogger("info", (line) => lines.push(line));
  logBootstrap(logger, "root", { outcome: "unchanged" });
  logBootstrap(logger, "root", { outcome: "superseded" });
  logBootstrap(logger, "ops", { outcome: "created", formerAdmin: "root" });
  logBootstrap(logger, "root", {
    outcome: "unchanged",
    inactive: { disabled: true, role: "admin" },
  });
  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(records.map((r) => [r.level, r.msg, r.account])).toEqual([
    ["info", "admin account", "root"],
    ["warn", "admin account: ADMIN_PASSWORD_HASH was replaced earlier; not applied again", "root"],
    ["info", "admin account", "ops"],
    ["warn", "admin account: the earlier ADMIN_USERNAME is still an enabled admin", "root"],
    ["info", "admin account", "root"],
    ["warn", "admin account: ADMIN_USERNAME cannot sign in as admin", "root"],
  ]);
  expect(records[5]).toMatchObject({ disabled: true, role: "admin" });
  expect(String(records[5]?.hint)).toContain("break-glass");
  expect(String(records[1]?.hint)).toContain("hash-password");
});
