/**
 * /v1/admin revoke-all and maintenance on SQLite and PostgreSQL: every token
 * ended, maintenance shared by instances (≤ 1 s) and audited once per
 * switch, and an admin change whose audit event cannot be written does not
 * happen (one transaction).
 */
import { beforeEach, expect, test } from "bun:test";
import { revokeAll } from "../../src/auth/revokeAll.ts";
import { readSetting, SETTING, writeSetting } from "../../src/auth/settings.ts";
import {
  ADMIN_PASSWORD,
  type AuthHarness,
  buildAuthHarness,
  errorOf,
  type TokenPairBody,
} from "../auth/support/authApp.ts";
import { describeEachDatabase } from "../support/databases.ts";
import { holdLocks } from "../support/heldLock.ts";
import { lockWaits } from "../support/lockWaits.ts";
import { adminRequests } from "./support/adminRequests.ts";

describeEachDatabase(
  "admin",
  (t) => {
    let h: AuthHarness;
    let admin: TokenPairBody;
    beforeEach(async () => {
      h = await buildAuthHarness(t.db());
      admin = await h.login("admin", ADMIN_PASSWORD);
    });

    const { createUser, patch } = adminRequests(() => ({ h, admin }));

    test("a change whose audit event cannot be written does not happen (one transaction)", async () => {
      const { user } = await createUser("atomic");
      const vera = await h.login("atomic", "viewer-password-1");
      const audit = h.auth.audit;
      h.auth.audit = async () => {
        throw new Error("audit log unavailable");
      };
      try {
        expect((await patch(user?.id as string, { disabled: true, role: "trader" })).status).toBe(
          500,
        );
        const revoke = await h.send("/v1/admin/revoke-all", {
          method: "POST",
          token: admin.access_token,
        });
        expect(revoke.status).toBe(500);
        const maintenance = await h.send("/v1/admin/maintenance", {
          method: "PUT",
          body: JSON.stringify({ enabled: true, reason: "drill" }),
          headers: { "content-type": "application/json" },
          token: admin.access_token,
        });
        expect(maintenance.status).toBe(500);
      } finally {
        h.auth.audit = audit;
      }
      const now = await h.auth.users.findById(user?.id as string);
      expect([now?.role, now?.disabled]).toEqual(["viewer", false]);
      expect((await h.send("/v1/auth/me", { token: vera.access_token })).status).toBe(200);
      expect((await h.send("/v1/auth/me", { token: admin.access_token })).status).toBe(200);
      h.clock.advance(1_000); // past the maintenance cache
      expect(await h.auth.maintenance.get()).toEqual({ enabled: false, reason: "" });
    });

    test("revoke-all: every token of every user stops working; new logins work", async () => {
      await createUser("erin");
      const e = await h.login("erin", "viewer-password-1");
      const res = await h.post("/v1/admin/revoke-all", {}, { token: admin.access_token });
      expect(res.status).toBe(204);
      for (const p of [admin, e]) {
        expect((await h.send("/v1/market/ping", { token: p.access_token })).status).toBe(401);
        expect((await h.post("/v1/auth/refresh", { refresh_token: p.refresh_token })).status).toBe(
          400,
        );
      }
      // Same second as the revoke-all: the new session's token must still work.
      const fresh = await h.login("erin", "viewer-password-1");
      expect((await h.send("/v1/market/ping", { token: fresh.access_token })).status).toBe(200);
      expect(h.events.find((x) => x.type === "authz_revoke_all")).toMatchObject({
        outcome: "success",
      });
    });

    test("revoke-all rejects a token minted before it even if its session were alive", async () => {
      const old = await h.login("admin", ADMIN_PASSWORD);
      h.clock.advance(2000);
      await h.post("/v1/admin/revoke-all", {}, { token: admin.access_token });
      // Resurrect the session row to isolate the global not-before check.
      await t.db().sql`UPDATE sessions SET revoked_at = NULL`;
      expect((await h.send("/v1/auth/me", { token: old.access_token })).status).toBe(401);
    });

    test("a session started before the cut-off is over even when revoke-all's UPDATE missed it", async () => {
      const racing = await h.login("admin", ADMIN_PASSWORD);
      h.clock.advance(500);
      // What a login still in its transaction during revoke-all leaves behind (PostgreSQL, read
      // committed): a session the UPDATE never saw, started before the cut-off, in its second.
      const cutoff = h.clock.now();
      await writeSetting(t.db(), SETTING.tokensNotBefore, String(cutoff), cutoff);
      expect((await h.send("/v1/auth/me", { token: racing.access_token })).status).toBe(401);
      const refresh = await h.post("/v1/auth/refresh", { refresh_token: racing.refresh_token });
      expect(refresh.status).toBe(400);
      expect((await errorOf(refresh)).code).toBe("invalid_grant");
      // A login at the cut-off itself is after it.
      const after = await h.login("admin", ADMIN_PASSWORD);
      expect((await h.send("/v1/auth/me", { token: after.access_token })).status).toBe(200);
      expect(
        (await h.post("/v1/auth/refresh", { refresh_token: after.refresh_token })).status,
      ).toBe(200);
    });

    /**
     * A revoke-all held up in its UPDATE, after taking its cut-off, by a live session's row held
     * elsewhere (a refresh mid-transaction), as a slow one was in a probe; and a second instance.
     */
    const revokeAllHeldUp = async () => {
      const other = await buildAuthHarness(await t.openAnother(), {
        clock: h.clock,
        bootstrap: false,
      });
      const held = await holdLocks(
        await t.openAnother(),
        "SELECT id FROM sessions WHERE revoked_at IS NULL FOR UPDATE",
      );
      const revoking = h.post("/v1/admin/revoke-all", {}, { token: admin.access_token });
      expect(await lockWaits(await t.openAnother(), 1)).toBe(1);
      return { other, held, revoking };
    };

    // SQLite: a transaction holds the writer lock from its first statement; nothing interleaves.
    test.skipIf(t.backend !== "postgres")(
      "a login while a revoke-all runs waits for it: no session from before it survives",
      async () => {
        const { other, held, revoking } = await revokeAllHeldUp();
        let loggedIn = false;
        const login = other.login("admin", ADMIN_PASSWORD).then((pair) => {
          loggedIn = true;
          return pair;
        });
        // The login waits for the revoke-all instead of committing a session it cannot see.
        await Bun.sleep(300);
        expect(loggedIn).toBe(false);
        held.release();
        await held.done;
        expect((await revoking).status).toBe(204);
        const fresh = await login;
        const order = await t.db().sql<{ type: string }>`
          SELECT type FROM audit_events ORDER BY seq DESC LIMIT 2`;
        expect(order.map((e) => e.type)).toEqual(["authn_login_success", "authz_revoke_all"]);
        expect((await h.send("/v1/auth/me", { token: admin.access_token })).status).toBe(401);
        expect((await h.send("/v1/auth/me", { token: fresh.access_token })).status).toBe(200);
      },
    );

    test.skipIf(t.backend !== "postgres")(
      "a login waits at most 2 s for a revoke-all, then gets a 503 to retry",
      async () => {
        const { other, held, revoking } = await revokeAllHeldUp();
        const started = performance.now();
        const login = await other.post("/v1/auth/login", {
          username: "admin",
          password: ADMIN_PASSWORD,
        });
        const waited = performance.now() - started;
        held.release();
        await held.done;
        expect((await revoking).status).toBe(204);
        expect([login.status, login.headers.get("retry-after")]).toEqual([503, "1"]);
        expect((await errorOf(login)).code).toBe("service_unavailable");
        expect(waited).toBeGreaterThanOrEqual(1_900);
        expect(waited).toBeLessThan(4_500);
      },
      15_000,
    );

    test("a revoke-all from a host whose clock is ahead: logins after it still work here", async () => {
      const old = await h.login("admin", ADMIN_PASSWORD);
      const ahead = h.clock.now() + 8_000;
      const audit = async () => {};
      const origin = { actor: null, ip: null, userAgent: null, requestId: null };
      await revokeAll(t.db(), ahead, audit, origin);
      // A later revoke-all from a host behind does not move the cut-off back.
      await revokeAll(t.db(), h.clock.now(), audit, origin);
      expect(await readSetting(t.db(), SETTING.tokensNotBefore)).toBe(String(ahead));
      expect((await h.send("/v1/auth/me", { token: old.access_token })).status).toBe(401);
      // This instance's clock is 8 s behind the cut-off: its new session starts at the cut-off.
      const fresh = await h.login("admin", ADMIN_PASSWORD);
      expect((await h.send("/v1/auth/me", { token: fresh.access_token })).status).toBe(200);
      const refreshed = await h.post("/v1/auth/refresh", { refresh_token: fresh.refresh_token });
      expect(refreshed.status).toBe(200);
    });

    test("maintenance: 503 on /v1 except auth and admin, before any token check; shared with other instances ≤ 1 s", async () => {
      const other = await buildAuthHarness(await t.openAnother(), {
        clock: h.clock,
        bootstrap: false,
      });
      expect((await other.send("/v1/market/ping")).status).toBe(401);
      const on = await h.send("/v1/admin/maintenance", {
        method: "PUT",
        body: JSON.stringify({ enabled: true, reason: "db failover" }),
        headers: { "content-type": "application/json" },
        token: admin.access_token,
      });
      expect(on.status).toBe(200);
      expect(await on.json()).toEqual({ enabled: true, reason: "db failover" });
      const anon = await h.send("/v1/market/ping");
      expect(anon.status).toBe(503);
      expect((await errorOf(anon)).code).toBe("maintenance");
      expect((await h.send("/v1/auth/me", { token: admin.access_token })).status).toBe(200);
      expect(
        await (await h.send("/v1/admin/maintenance", { token: admin.access_token })).json(),
      ).toEqual({ enabled: true, reason: "db failover" });
      h.clock.advance(500);
      expect((await other.send("/v1/market/ping")).status).toBe(503);
      // The runbook's body (docs/deploy.md): no reason needed to switch off; one given is
      // the event's note, not a stored reason.
      await h.send("/v1/admin/maintenance", {
        method: "PUT",
        body: JSON.stringify({ enabled: false, reason: "failover done" }),
        headers: { "content-type": "application/json" },
        token: admin.access_token,
      });
      h.clock.advance(500);
      expect((await other.send("/v1/market/ping")).status).toBe(401);
      // A new reason while off is no switch: not audited, and not stored either.
      const edited = await h.send("/v1/admin/maintenance", {
        method: "PUT",
        body: JSON.stringify({ enabled: false, reason: "next week's upgrade" }),
        headers: { "content-type": "application/json" },
        token: admin.access_token,
      });
      expect(edited.status).toBe(200);
      expect(await edited.json()).toEqual({ enabled: false, reason: "" });
      const shown = await h.send("/v1/admin/maintenance", { token: admin.access_token });
      expect(await shown.json()).toEqual({ enabled: false, reason: "" });
      expect(
        h.events
          .filter((e) => e.type.startsWith("maintenance_"))
          .map((e) => [e.type, e.details?.reason]),
      ).toEqual([
        ["maintenance_on", "db failover"],
        ["maintenance_off", "failover done"],
      ]);
    });

    test("identical maintenance changes at once are audited as one change", async () => {
      const put = () =>
        h.send("/v1/admin/maintenance", {
          method: "PUT",
          body: JSON.stringify({ enabled: true, reason: "drill" }),
          headers: { "content-type": "application/json" },
          token: admin.access_token,
        });
      const answers = await Promise.all([put(), put(), put(), put()]);
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(h.events.filter((e) => e.type === "maintenance_on")).toHaveLength(1);
    });

    test("a lone surrogate in a stored text is a 400, not stored as U+FFFD", async () => {
      // JSON may escape one (\ud800); it has no UTF-8 form, so it would be stored changed.
      const reason = await h.send("/v1/admin/maintenance", {
        method: "PUT",
        body: '{"enabled":true,"reason":"drill \\ud800"}',
        headers: { "content-type": "application/json" },
        token: admin.access_token,
      });
      expect(reason.status).toBe(400);
      expect((await errorOf(reason)).code).toBe("invalid_request");
      expect(await h.auth.maintenance.get()).toEqual({ enabled: false, reason: "" });
    });
  },
  { fresh: "test" },
);
