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
import { runRevokeAll } from "../../src/cli/revokeAll.ts";
import { main } from "../../src/main.ts";
import { ADMIN_PASSWORD, buildAuthHarness } from "../auth/support/authApp.ts";
import { captureIo } from "../support/captureIo.ts";
import { createEmptyDatabase, describeEachDatabase } from "../support/databases.ts";

describeEachDatabase("revoke-all command", (t) => {
  test("ends every session and token; audited in the chain; new logins work", async () => {
    const h = await buildAuthHarness(t.db());
    const before = [
      await h.login("admin", ADMIN_PASSWORD),
      await h.login("admin", ADMIN_PASSWORD, "203.0.113.9"),
    ];
    const io = captureIo();
    expect(await runRevokeAll({ DATABASE_URL: t.url() }, io.io, h.clock)).toBe(0);
    expect(JSON.parse(io.stdout())).toEqual({
      sessions_ended: 2,
      not_before: new Date(h.clock.now()).toISOString(),
    });
    expect(io.stderr()).toBe("");
    for (const pair of before) {
      expect((await h.send("/v1/auth/me", { token: pair.access_token })).status).toBe(401);
      expect((await h.post("/v1/auth/refresh", { refresh_token: pair.refresh_token })).status).toBe(
        400,
      );
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
});

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
