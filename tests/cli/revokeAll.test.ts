/**
 * `trading-server revoke-all` on SQLite and PostgreSQL: with no admin signed in
 * and no server needed, every session ends and every earlier access token is
 * refused, audited (actor null, source cli) in the verified chain; a mistyped
 * SQLite path or an unmigrated database fails with exit 1 and creates nothing.
 */
import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSetting, SETTING } from "../../src/auth/settings.ts";
import { runRevokeAll } from "../../src/cli/revokeAll.ts";
import { main } from "../../src/main.ts";
import { databaseNow } from "../../src/storage/index.ts";
import { ADMIN_PASSWORD, buildAuthHarness } from "../auth/support/authApp.ts";
import { captureIo } from "../support/captureIo.ts";
import { createEmptyDatabase, describeEachDatabase } from "../support/databases.ts";
import { holdTableLock } from "../support/heldLock.ts";

describeEachDatabase(
  "revoke-all command",
  (t) => {
    test("ends every session and token at the cut-off; audited in the chain; new logins work", async () => {
      const h = await buildAuthHarness(t.db());
      const before = [
        await h.login("admin", ADMIN_PASSWORD),
        await h.login("admin", ADMIN_PASSWORD, "203.0.113.9"),
      ];
      h.clock.advance(1_500);
      const io = captureIo();
      // The harness clock stands in for the database's (it is far from this host's on purpose).
      expect(await runRevokeAll({ DATABASE_URL: t.url() }, io.io, async () => h.clock.now())).toBe(
        0,
      );
      expect(JSON.parse(io.stdout())).toEqual({
        sessions_ended: 2,
        not_before: new Date(h.clock.now()).toISOString(),
      });
      expect(io.stderr()).toMatch(
        /^revoke-all: this host's clock is \d+ s behind the database's; the cut-off uses the database's\n$/,
      );
      expect(await readSetting(t.db(), SETTING.tokensNotBefore)).toBe(String(h.clock.now()));
      for (const pair of before) {
        expect((await h.send("/v1/auth/me", { token: pair.access_token })).status).toBe(401);
        expect(
          (await h.post("/v1/auth/refresh", { refresh_token: pair.refresh_token })).status,
        ).toBe(400);
      }
      const fresh = await h.login("admin", ADMIN_PASSWORD);
      expect((await h.send("/v1/auth/me", { token: fresh.access_token })).status).toBe(200);

      const [event] = await h.auditLog.list({ type: "authz_revoke_all", limit: 10 });
      expect(event).toMatchObject({
        actor: null,
        ip: null,
        outcome: "success",
        details: { sessions_ended: 2, source: "cli", host: expect.any(String) },
      });
      expect((await h.auditLog.verify()).ok).toBe(true);
    });

    test("the cut-off is the database's time", async () => {
      const db = await databaseNow(t.db());
      expect(Math.abs(db - Date.now())).toBeLessThan(5_000);
      const io = captureIo();
      expect(await runRevokeAll({ DATABASE_URL: t.url() }, io.io)).toBe(0);
      const { not_before } = JSON.parse(io.stdout()) as { not_before: string };
      expect(Math.abs(Date.parse(not_before) - Date.now())).toBeLessThan(5_000);
      expect(io.stderr()).toBe("");
    });

    test("a database that stalls mid-way: exit 1 in bounded time, saying running it again is safe", async () => {
      if (t.backend !== "postgres") return; // SQLite waits on its busy timeout, bounded already
      const lock = await holdTableLock(await t.openAnother(), "audit_chain_head");
      const io = captureIo();
      const started = performance.now();
      const code = runRevokeAll({ DATABASE_URL: t.url() }, io.io, databaseNow, 200);
      // The lock outlives the deadline; it is let go only so the pool can close its connection.
      setTimeout(lock.release, 600);
      expect(await code).toBe(1);
      await lock.done;
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(io.stdout()).toBe("");
      // Stopped before COMMIT: rolled back, and it says so (only a COMMIT left unanswered is unknown).
      expect(io.stderr()).toContain("it did not take effect: running it again is safe");
    });

    test("only DATABASE_URL is read: a typo elsewhere in the env file does not block it", async () => {
      const io = captureIo();
      const env = { DATABASE_URL: t.url(), ACCESS_TOKEN_TTL: "15x", PORT: "not-a-port" };
      expect(await main(["revoke-all"], env, io.io)).toBe(0);
      expect(JSON.parse(io.stdout())).toMatchObject({ sessions_ended: 0 });
    });

    test("a schema this build does not know, newer or behind, is refused and left as it was", async () => {
      await t.db()
        .sql`INSERT INTO schema_migrations (id, name, applied_at) VALUES (999, 'future', 1)`;
      const newer = captureIo();
      expect(await runRevokeAll({ DATABASE_URL: t.url() }, newer.io)).toBe(1);
      expect(newer.stderr()).toContain("newer than this build knows");
      await t.db().sql`DELETE FROM schema_migrations WHERE id >= 5`;
      const behind = captureIo();
      expect(await runRevokeAll({ DATABASE_URL: t.url() }, behind.io)).toBe(1);
      expect(behind.stderr()).toContain("run `trading-server migrate` first");
      // Under a rollback the restored schema is the older binary's: migrating it would undo that.
      expect(behind.stderr()).toContain("rolling back, use the binary of that schema");
      expect(await readSetting(t.db(), SETTING.tokensNotBefore)).toBeUndefined();
    });
  },
  { fresh: "test" },
);

test("a mistyped SQLite path or an unmigrated database: exit 1, one line, nothing created", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ts-revoke-"));
  try {
    const missing = join(dir, "nope", "trading.db");
    const io = captureIo();
    expect(await main(["revoke-all"], { DATABASE_URL: `sqlite://${missing}` }, io.io)).toBe(1);
    expect(io.stderr()).toBe(`revoke-all: no SQLite database at ${missing}\n`);
    expect(existsSync(join(dir, "nope"))).toBe(false);

    const empty = await createEmptyDatabase("sqlite");
    try {
      await Bun.write(new URL(empty.url.replace("sqlite://", "file://")), "");
      const bare = captureIo();
      expect(await main(["revoke-all"], { DATABASE_URL: empty.url }, bare.io)).toBe(1);
      expect(bare.stderr()).toStartWith("revoke-all: ");
      expect(bare.stderr().split("\n")).toHaveLength(2);
      expect(bare.stdout()).toBe("");
    } finally {
      await empty.dispose();
    }
    const usage = captureIo();
    expect(await main(["revoke-all", "--yes"], {}, usage.io)).toBe(2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
