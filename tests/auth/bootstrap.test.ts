/**
 * The bootstrap admin: created from ADMIN_PASSWORD_HASH (argon2id or passlib
 * bcrypt, 72-byte truncation included) or a development ADMIN_PASSWORD;
 * legacy hashes upgraded to argon2id on the first good login and kept across
 * restarts; a changed variable is the break-glass reset.
 */
import { expect, test } from "bun:test";
import type { AuthAuditEvent } from "../../src/auth/auditTrail.ts";
import { hashKind, hashPassword, isAdminBootstrapError } from "../../src/auth/index.ts";
import { createUserStore } from "../../src/auth/users.ts";
import { describeEachDatabase } from "../support/databases.ts";
import { holdTableLock } from "../support/heldLock.ts";
import { buildAuthHarness, errorOf } from "./support/authApp.ts";
import { base, outcomeOf } from "./support/bootstrapConfig.ts";

// libxcrypt (python3 crypt, METHOD_BLOWFISH) — what passlib writes too.
const PASSLIB_LONG = {
  // 40 × "é" = 80 bytes + tail: only the first 72 bytes were hashed.
  password: `${"é".repeat(40)}tail-that-is-ignored`,
  hash: "$2b$04$Q0BQGrpwprzCYsFSaag8EeXsVx40sUQAjY7rcT/cDcpV7pqUjT3Sm",
};

describeEachDatabase(
  "bootstrap admin",
  (t) => {
    test("passlib bcrypt hash of a password over 72 bytes: any tail logs in, and it stays bcrypt (72 bytes too)", async () => {
      const config = { ...base, ADMIN_PASSWORD_HASH: PASSLIB_LONG.hash };
      expect(await outcomeOf(t.db(), config)).toBe("created");
      const h = await buildAuthHarness(t.db(), { bootstrap: false });
      // The tail beyond 72 bytes does not matter to bcrypt, exactly as with passlib. An
      // upgrade would hash this login's tail: it would become the password, the real one 401.
      const login = (password: string) => h.post("/v1/auth/login", { username: "root", password });
      expect((await login(`${"é".repeat(36)}other tail`)).status).toBe(200);
      expect((await h.auth.users.findByUsername("root"))?.passwordHash).toBe(PASSLIB_LONG.hash);
      expect((await login(PASSLIB_LONG.password)).status).toBe(200);
      // Exactly the 72 bytes bcrypt hashed (a client that cuts there): in, and still bcrypt.
      expect((await login("é".repeat(36))).status).toBe(200);
      expect((await h.auth.users.findByUsername("root"))?.passwordHash).toBe(PASSLIB_LONG.hash);
      expect((await login("é".repeat(35))).status).toBe(401);
      expect(await outcomeOf(t.db(), config)).toBe("unchanged");
    });

    test("bcrypt hash of a password within 72 bytes: upgraded to argon2id, and survives a restart", async () => {
      const password = "legacy-bcrypt-password";
      const hash = await Bun.password.hash(password, { algorithm: "bcrypt", cost: 4 });
      const config = { ...base, ADMIN_PASSWORD_HASH: hash };
      expect(await outcomeOf(t.db(), config)).toBe("created");
      const h = await buildAuthHarness(t.db(), { bootstrap: false });
      const pair = await h.login("Root", password);
      expect(pair.token_type).toBe("Bearer");
      const upgraded = await h.auth.users.findByUsername("root");
      expect(hashKind(upgraded?.passwordHash as string)).toBe("argon2id");
      expect(await outcomeOf(t.db(), config)).toBe("unchanged");
      expect((await h.auth.users.findByUsername("root"))?.passwordHash).toBe(
        upgraded?.passwordHash as string,
      );
      expect((await h.post("/v1/auth/login", { username: "root", password })).status).toBe(200);
    });

    test("creating the admin and a break-glass reset are audited in their transaction; no change, no event", async () => {
      const events: AuthAuditEvent[] = [];
      const audit = async (event: AuthAuditEvent) => {
        events.push(event);
      };
      const first = { ...base, ADMIN_PASSWORD_HASH: PASSLIB_LONG.hash };
      expect(await outcomeOf(t.db(), first, 1_000, audit)).toBe("created");
      expect(await outcomeOf(t.db(), first, 2_000, audit)).toBe("unchanged");
      const next = { ...base, ADMIN_PASSWORD_HASH: await hashPassword("break-glass-pass-1") };
      expect(await outcomeOf(t.db(), next, 3_000, audit)).toBe("updated");
      const id = (await createUserStore(t.db()).findByUsername("root"))?.id;
      expect(events).toEqual([
        expect.objectContaining({
          type: "user_created",
          actor: null,
          target: id,
          details: { reason: "bootstrap", role: "admin" },
        }),
        expect.objectContaining({
          type: "user_updated",
          actor: null,
          target: id,
          details: {
            reason: "bootstrap",
            role: "admin",
            disabled: false,
            sign_in_reset: true,
            sessions_ended: 0,
          },
        }),
      ]);
      // An event that cannot be written leaves the reset undone.
      const failing = async () => {
        throw new Error("audit log unavailable");
      };
      const third = { ...base, ADMIN_PASSWORD_HASH: await hashPassword("break-glass-pass-2") };
      expect(await outcomeOf(t.db(), third, 4_000, failing).catch(() => "failed")).toBe("failed");
      expect((await createUserStore(t.db()).findByUsername("root"))?.passwordHash).toBe(
        next.ADMIN_PASSWORD_HASH,
      );
    });

    test("a changed ADMIN_PASSWORD_HASH resets the password, role and disabled flag and ends tokens", async () => {
      expect(await outcomeOf(t.db(), { ...base, ADMIN_PASSWORD_HASH: PASSLIB_LONG.hash })).toBe(
        "created",
      );
      const h = await buildAuthHarness(t.db(), { bootstrap: false });
      const pair = await h.login("root", PASSLIB_LONG.password);
      const user = await h.auth.users.findByUsername("root");
      await h.auth.users.update(
        user?.id as string,
        { role: "viewer", disabled: true },
        h.clock.now(),
      );
      const next = await hashPassword("the-break-glass-password");
      expect(await outcomeOf(t.db(), { ...base, ADMIN_PASSWORD_HASH: next })).toBe("updated");
      const after = await h.auth.users.findByUsername("root");
      expect(after).toMatchObject({ role: "admin", disabled: false, passwordHash: next });
      expect((await h.send("/v1/auth/me", { token: pair.access_token })).status).toBe(401);
      expect(
        (await h.post("/v1/auth/login", { username: "root", password: "the-break-glass-password" }))
          .status,
      ).toBe(200);
    });

    test("a break-glass reset ends the admin's sessions: a refresh token from before is refused", async () => {
      const first = { ...base, ADMIN_PASSWORD_HASH: PASSLIB_LONG.hash };
      expect(await outcomeOf(t.db(), first)).toBe("created");
      const h = await buildAuthHarness(t.db(), { bootstrap: false });
      const before = await h.login("root", PASSLIB_LONG.password);
      const other = await h.login("root", PASSLIB_LONG.password);
      const next = { ...base, ADMIN_PASSWORD_HASH: await hashPassword("break-glass-pass-3") };
      const events: AuthAuditEvent[] = [];
      const audit = async (event: AuthAuditEvent) => {
        events.push(event);
      };
      expect(await outcomeOf(t.db(), next, h.clock.now(), audit)).toBe("updated");
      expect(events[0]?.details).toMatchObject({ sign_in_reset: true, sessions_ended: 2 });
      for (const pair of [before, other]) {
        const res = await h.post("/v1/auth/refresh", { refresh_token: pair.refresh_token });
        expect(res.status).toBe(400);
        expect((await errorOf(res)).code).toBe("invalid_grant");
      }
      const rows = await t.db().sql`SELECT revoked_reason FROM sessions`;
      expect(rows.map((r) => r.revoked_reason)).toEqual(["admin_reset", "admin_reset"]);
      // The new password opens a new session that works.
      const after = await h.login("root", "break-glass-pass-3");
      expect(
        (await h.post("/v1/auth/refresh", { refresh_token: after.refresh_token })).status,
      ).toBe(200);
    });

    test("a login with the old password racing the reset leaves no session behind", async () => {
      if (t.backend !== "postgres") return; // SQLite runs one write transaction at a time
      const first = { ...base, ADMIN_PASSWORD_HASH: await hashPassword("race-old-password") };
      expect(await outcomeOf(t.db(), first)).toBe("created");
      const h = await buildAuthHarness(t.db(), { bootstrap: false });
      const waiting = async (n: number) => {
        for (let i = 0; i < 200; i++) {
          const [row] = await t.db().sql<{ n: number }>`
            SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted`;
          if ((row?.n ?? 0) >= n) return;
          await Bun.sleep(10);
        }
        throw new Error(`fewer than ${n} transactions waiting`);
      };
      // The login's audit event waits on the chain head, inside its transaction: it holds the
      // admin's row and its new session is not committed yet.
      const lock = await holdTableLock(await t.openAnother(), "audit_chain_head");
      const racing = h.login("root", "race-old-password");
      await waiting(1);
      const next = { ...base, ADMIN_PASSWORD_HASH: await hashPassword("race-new-password") };
      const reset = outcomeOf(await t.openAnother(), next);
      await waiting(2);
      lock.release();
      const pair = await racing;
      expect(await reset).toBe("updated");
      await lock.done;
      const res = await h.post("/v1/auth/refresh", { refresh_token: pair.refresh_token });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).code).toBe("invalid_grant");
    });

    test("development ADMIN_PASSWORD is hashed at bootstrap; refused elsewhere", async () => {
      const dev = {
        environment: "development" as const,
        ADMIN_USERNAME: "dev",
        ADMIN_PASSWORD: "dev-password-123",
        ADMIN_PASSWORD_HASH: undefined,
      };
      expect(await outcomeOf(t.db(), dev)).toBe("created");
      const stored = (
        await t.db().sql<{
          password_hash: string;
        }>`SELECT password_hash FROM users WHERE username = 'dev'`
      )[0]?.password_hash;
      expect(hashKind(stored as string)).toBe("argon2id");
      expect(stored).not.toContain("dev-password-123");
      expect(await outcomeOf(t.db(), dev)).toBe("unchanged");
      const err = await outcomeOf(t.db(), { ...dev, environment: "production" }).catch(
        (e: unknown) => e,
      );
      expect(isAdminBootstrapError(err)).toBe(true);
    });

    // PostgreSQL only: several instances on one SQLite file are unsupported (db.005), and in one
    // process SQLite's synchronous busy wait would block the handle holding the write lock.
    test.skipIf(t.backend === "sqlite")(
      "instances starting together on one database: one creates the admin, none fails",
      async () => {
        const config = { ...base, ADMIN_PASSWORD_HASH: await hashPassword("together-password-1") };
        const handles = [t.db(), await t.openAnother(), await t.openAnother()];
        const outcomes = await Promise.all(handles.map((db) => outcomeOf(db, config)));
        expect(outcomes.sort()).toEqual(["created", "unchanged", "unchanged"]);
        const admins = await t.db().sql`SELECT id FROM users WHERE username = 'root'`;
        expect(admins).toHaveLength(1);
      },
    );

    test("a new admin's name follows the account-name policy; an existing admin keeps working", async () => {
      for (const name of ["\u0430dmin", "root\u200b", "ｒｏｏｔ"]) {
        const err = await outcomeOf(t.db(), {
          ...base,
          ADMIN_USERNAME: name,
          ADMIN_PASSWORD_HASH: PASSLIB_LONG.hash,
        }).catch((e: unknown) => e);
        expect(isAdminBootstrapError(err)).toBe(true);
        expect(String(err)).toContain("ADMIN_USERNAME");
      }
      // Created before the policy (here, straight through the store): still updated at start.
      await createUserStore(t.db()).create(
        { username: "\u0430dmin", passwordHash: PASSLIB_LONG.hash, role: "viewer" },
        1,
      );
      expect(
        await outcomeOf(t.db(), {
          ...base,
          ADMIN_USERNAME: "\u0430dmin",
          ADMIN_PASSWORD_HASH: PASSLIB_LONG.hash,
        }),
      ).toBe("updated");
    });

    test("a malformed hash is refused; no configuration is skipped", async () => {
      const err = await outcomeOf(t.db(), { ...base, ADMIN_PASSWORD_HASH: "plaintext" }).catch(
        (e: unknown) => e,
      );
      expect(isAdminBootstrapError(err)).toBe(true);
      expect(String(err)).not.toContain("plaintext");
      expect(await outcomeOf(t.db(), { ...base, ADMIN_PASSWORD_HASH: undefined })).toBe("skipped");
    });
  },
  { fresh: "test" },
);
