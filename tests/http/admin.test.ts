/**
 * /v1/admin/*: users, roles, disabling, revoke-all, maintenance (shared by
 * instances, ≤ 1 s), audit listing, and that the routes are in the OpenAPI
 * document — on SQLite and PostgreSQL.
 */
import { beforeEach, expect, test } from "bun:test";
import {
  ADMIN_PASSWORD,
  type AuthHarness,
  buildAuthHarness,
  errorOf,
  type TokenPairBody,
} from "../auth/support/authApp.ts";
import { describeEachDatabase } from "../support/databases.ts";

interface UserJson {
  id: string;
  username: string;
  role: string;
  disabled: boolean;
}

describeEachDatabase(
  "admin",
  (t) => {
    let h: AuthHarness;
    let admin: TokenPairBody;
    beforeEach(async () => {
      h = await buildAuthHarness(t.db());
      admin = await h.login("admin", ADMIN_PASSWORD);
    });

    const createUser = async (
      username: string,
      role = "viewer",
      password = "viewer-password-1",
    ) => {
      const res = await h.post(
        "/v1/admin/users",
        { username, password, role },
        { token: admin.access_token },
      );
      return { res, user: res.status === 201 ? ((await res.json()) as UserJson) : undefined };
    };
    const patch = (id: string, body: unknown, token = admin.access_token) =>
      h.send(`/v1/admin/users/${id}`, {
        method: "PATCH",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
        token,
      });

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

    test("names that read as another or hide characters are refused at creation (400)", async () => {
      for (const name of [
        "root-admin\u200b", // zero-width space
        "admin\u202egpj", // right-to-left override
        "ad\u0000min",
        "ad\nmin",
        " root-admin",
        "root-admin\t",
        "ｒｏｏｔ-ａｄｍｉｎ", // fullwidth
        "ﬁnance", // ligature
        "admin\u034f", // combining grapheme joiner (default-ignorable)
        "admin\ufe0f", // variation selector
        "admin\u3164", // Hangul filler
        "admin\u2800", // braille blank
        "admin\ue000", // private use
        "\u0301admin", // a combining mark with nothing before it
        "\u0430dmin", // Cyrillic а among Latin letters
        "adm\u0456n", // Cyrillic і
        "\u03bfps-lead", // Greek ο
        "\u13aa\ua4ee", // Cherokee and Lisu lookalikes of A
      ]) {
        const { res } = await createUser(name);
        const body = (await res.json()) as { error: { code: string; details: unknown[] } };
        expect([JSON.stringify(name), res.status, body.error.code]).toEqual([
          JSON.stringify(name),
          400,
          "invalid_request",
        ]);
      }
      // Ordinary international names and inner spaces stay fine.
      for (const name of [
        "zoë",
        "josé maría",
        "Łukasz",
        "名前",
        "иван",
        "田中taro",
        "김kim",
        "ジョージ", // the length mark ー is Common, used by Hiragana and Katakana alike
        "dʼartagnan", // modifier apostrophe, Common
        "ᏣᎳᎩ", // Cherokee
      ]) {
        expect((await createUser(name)).res.status).toBe(201);
      }
    });

    test("create → 201 user; duplicate (any case) → 409; list", async () => {
      const { res, user } = await createUser("Alice", "trader");
      expect(res.status).toBe(201);
      expect(user).toEqual({
        id: expect.any(String),
        username: "alice",
        role: "trader",
        disabled: false,
      });
      expect((await createUser("ALICE")).res.status).toBe(409);
      const list = (await (
        await h.send("/v1/admin/users", { token: admin.access_token })
      ).json()) as { users: UserJson[] };
      expect(list.users.map((u) => u.username).sort()).toEqual(["admin", "alice"]);
      expect(JSON.stringify(list)).not.toContain("argon2");
      const created = h.events.find((e) => e.type === "user_created");
      expect(created).toMatchObject({
        actor: expect.any(String),
        target: user?.id,
        outcome: "success",
      });
    });

    test("validation errors are the pinned 400 with details, never echoing values", async () => {
      const res = await h.post(
        "/v1/admin/users",
        { username: "bob", password: "short", role: "root" },
        { token: admin.access_token },
      );
      expect(res.status).toBe(400);
      const err = await errorOf(res);
      expect(err.code).toBe("invalid_request");
      expect(Array.isArray(err.details) && err.details.length >= 2).toBe(true);
      expect(JSON.stringify(err)).not.toContain("short");
      expect((await patch("x", { role: "admin", extra: 1 })).status).toBe(400);
    });

    test("a PATCH that changes nothing (no body, no content type, or {}) is 400, not an audited change", async () => {
      const { user } = await createUser("nobody-patch");
      const id = user?.id as string;
      const before = h.events.length;
      const bare = await h.send(`/v1/admin/users/${id}`, {
        method: "PATCH",
        token: admin.access_token,
      });
      expect(bare.status).toBe(400);
      expect((await errorOf(bare)).code).toBe("invalid_request");
      expect((await patch(id, {})).status).toBe(400);
      expect(h.events.length).toBe(before);
    });

    test("roles: a viewer gets 403 on admin routes and sees market data; demotion applies at once", async () => {
      const { user } = await createUser("victor", "admin");
      const v = await h.login("victor", "viewer-password-1");
      expect((await h.send("/v1/admin/users", { token: v.access_token })).status).toBe(200);
      expect((await patch(user?.id as string, { role: "viewer" })).status).toBe(200);
      const denied = await h.send("/v1/admin/users", { token: v.access_token });
      expect(denied.status).toBe(403);
      expect((await errorOf(denied)).code).toBe("forbidden");
      expect((await h.send("/v1/market/ping", { token: v.access_token })).status).toBe(200);
    });

    test("disabling a user ends its sessions; re-enabling does not revive old tokens", async () => {
      const { user } = await createUser("dana");
      const d = await h.login("dana", "viewer-password-1");
      const res = await patch(user?.id as string, { disabled: true });
      expect(res.status).toBe(200);
      expect(((await res.json()) as UserJson).disabled).toBe(true);
      expect((await h.send("/v1/market/ping", { token: d.access_token })).status).toBe(401);
      expect((await h.post("/v1/auth/refresh", { refresh_token: d.refresh_token })).status).toBe(
        400,
      );
      expect(
        (await h.post("/v1/auth/login", { username: "dana", password: "viewer-password-1" }))
          .status,
      ).toBe(401);
      await patch(user?.id as string, { disabled: false });
      expect((await h.send("/v1/market/ping", { token: d.access_token })).status).toBe(401);
      expect(h.events.filter((e) => e.type === "user_disabled")).toHaveLength(1);
    });

    test("unknown user → 404; the last enabled admin cannot be disabled or demoted", async () => {
      expect((await patch("no-such-id", { role: "viewer" })).status).toBe(404);
      const me = (await (await h.send("/v1/auth/me", { token: admin.access_token })).json()) as {
        id: string;
      };
      expect((await patch(me.id, { disabled: true })).status).toBe(409);
      expect((await patch(me.id, { role: "trader" })).status).toBe(409);
    });

    test("two admins disabling each other at once: one wins, one admin stays enabled", async () => {
      const me = (await (await h.send("/v1/auth/me", { token: admin.access_token })).json()) as {
        id: string;
      };
      const { user: second } = await createUser("second-admin", "admin", "second-admin-pass-1");
      const secondToken = (await h.login("second-admin", "second-admin-pass-1")).access_token;
      const [a, b] = await Promise.all([
        patch(me.id, { disabled: true }, secondToken),
        patch((second as UserJson).id, { disabled: true }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      expect(await h.auth.users.countActiveAdmins()).toBe(1);
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
      // The runbook's body (docs/deploy.md): no reason needed to switch off.
      await h.send("/v1/admin/maintenance", {
        method: "PUT",
        body: JSON.stringify({ enabled: false }),
        headers: { "content-type": "application/json" },
        token: admin.access_token,
      });
      h.clock.advance(500);
      expect((await other.send("/v1/market/ping")).status).toBe(401);
      // A new reason while off is no switch: not audited.
      const edited = await h.send("/v1/admin/maintenance", {
        method: "PUT",
        body: JSON.stringify({ enabled: false, reason: "next week's upgrade" }),
        headers: { "content-type": "application/json" },
        token: admin.access_token,
      });
      expect(edited.status).toBe(200);
      expect(h.events.filter((e) => e.type.startsWith("maintenance_")).map((e) => e.type)).toEqual([
        "maintenance_on",
        "maintenance_off",
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

    test("U+0000 in a stored or looked-up text is a 400 on both databases, not a 500", async () => {
      // PostgreSQL text cannot hold it; SQLite could, and answered 404 / an empty list.
      const nul = encodeURIComponent("a\u0000b");
      const answers = [
        await patch(nul, { role: "trader" }),
        await h.send(`/v1/admin/audit?actor=${nul}`, { token: admin.access_token }),
        await h.send("/v1/admin/maintenance", {
          method: "PUT",
          body: JSON.stringify({ enabled: true, reason: "drill\u0000" }),
          headers: { "content-type": "application/json" },
          token: admin.access_token,
        }),
        (await createUser("nul\u0000name")).res,
      ];
      for (const res of answers) {
        expect(res.status).toBe(400);
        expect((await errorOf(res)).code).toBe("invalid_request");
      }
      expect(await h.auth.maintenance.get()).toEqual({ enabled: false, reason: "" });
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

    test("audit listing: newest first, type filter, cursor", async () => {
      await createUser("f1");
      await createUser("f2");
      const page = (await (
        await h.send("/v1/admin/audit?limit=2", { token: admin.access_token })
      ).json()) as { events: { seq: number; type: string }[]; next_cursor: string | null };
      expect(page.events).toHaveLength(2);
      expect(page.events[0]?.seq).toBeGreaterThan(page.events[1]?.seq as number);
      expect(typeof page.next_cursor).toBe("string");
      const next = (await (
        await h.send(`/v1/admin/audit?limit=2&cursor=${page.next_cursor}`, {
          token: admin.access_token,
        })
      ).json()) as { events: { seq: number }[] };
      expect(next.events[0]?.seq).toBeLessThan(page.events[1]?.seq as number);
      expect(
        (await h.send("/v1/admin/audit?cursor=garbage!", { token: admin.access_token })).status,
      ).toBe(400);
      const filtered = (await (
        await h.send("/v1/admin/audit?type=user_created", { token: admin.access_token })
      ).json()) as { events: { type: string }[] };
      expect(filtered.events.map((e) => e.type)).toEqual(["user_created", "user_created"]);
      expect((await h.send("/v1/admin/audit?limit=0", { token: admin.access_token })).status).toBe(
        400,
      );
      expect(
        (await h.send("/v1/admin/audit?since=yesterday", { token: admin.access_token })).status,
      ).toBe(400);
      expect(
        await (await h.send("/v1/admin/audit/verify", { token: admin.access_token })).json(),
      ).toMatchObject({ ok: true });
    });

    test("every auth and admin route is in /openapi.json", async () => {
      const doc = (await (await h.send("/openapi.json")).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      for (const [path, method] of [
        ["/v1/auth/login", "post"],
        ["/v1/auth/refresh", "post"],
        ["/v1/auth/logout", "post"],
        ["/v1/auth/me", "get"],
        ["/v1/auth/password", "post"],
        ["/v1/admin/users", "get"],
        ["/v1/admin/users", "post"],
        ["/v1/admin/users/{id}", "patch"],
        ["/v1/admin/revoke-all", "post"],
        ["/v1/admin/maintenance", "put"],
        ["/v1/admin/audit", "get"],
        ["/v1/admin/audit/verify", "get"],
      ] as const) {
        expect(doc.paths[path]?.[method]).toBeDefined();
      }
    });

    test("the document names every operation, lists itself, and publishes what the validators check", async () => {
      const doc = (await (await h.send("/openapi.json")).json()) as {
        paths: Record<string, Record<string, { operationId?: string; parameters?: unknown[] }>>;
        components: { schemas: Record<string, { properties: Record<string, unknown> }> };
      };
      const ids = Object.values(doc.paths).flatMap((item) =>
        Object.values(item).map((op) => op.operationId),
      );
      expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      expect(doc.paths["/openapi.json"]?.get?.operationId).toBe("getOpenApiDocument");
      const password = {
        type: "string",
        maxLength: 1024,
        description: "At most 1024 bytes of UTF-8.",
      };
      expect(doc.components.schemas.LoginRequest?.properties.password).toMatchObject(password);
      expect(doc.components.schemas.CreateUserRequest?.properties.password).toMatchObject({
        ...password,
        minLength: 8,
      });
      const since = (doc.paths["/v1/admin/audit"]?.get?.parameters ?? []).find(
        (p) => (p as { name?: string }).name === "since",
      ) as { schema: { description?: string } };
      expect(since.schema.description).toContain("upper case");
    });
  },
  { fresh: "test" },
);
