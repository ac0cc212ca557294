/**
 * /v1/admin/users on SQLite and PostgreSQL: creation, names that read as
 * another, validation, roles, disabling, the last enabled admin, and texts
 * PostgreSQL cannot store (U+0000) refused on every admin route.
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
import { holdLocks } from "../support/heldLock.ts";
import { lockWaits } from "../support/lockWaits.ts";
import { adminRequests, type UserJson } from "./support/adminRequests.ts";

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
        "zT\u0308ed", // folds to zt\u0308ed, which NFC writes z\u1e97ed: two accounts, one name
        "zI\u0307\u0327o", // İ with a cedilla: lower-casing leaves the marks out of order
        "λογοσ", // a medial σ at the end: "ΛΟΓΟΣ" folds to λογος, another account
        "weiß", // ß upper-cases to SS, which folds to ss
        "WEIẞ", // capital ẞ upper-cases to itself, but folds to ß
        "ıbrahim", // dotless ı upper-cases to I, which folds to i
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
        "z\u1e97ed", // the composed form of the refused zT\u0308ed
        "İstanbul", // folds to i\u0307stanbul, which NFC leaves as it is
        "ΛΟΓΟΣ", // folds to λογος, final sigma and all, and reads back the same
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
      const misspelled = await h.post(
        "/v1/admin/users",
        { username: "bob", password: "long enough pw", role: "viewer", rol: "admin" },
        { token: admin.access_token },
      );
      expect(misspelled.status).toBe(400);
      expect((await errorOf(misspelled)).details).toEqual([
        { path: "json.rol", message: "is not a known field" },
      ]);
      const maintenance = await h.send("/v1/admin/maintenance", {
        method: "PUT",
        body: JSON.stringify({ enabled: true, reson: "typo" }),
        headers: { "content-type": "application/json" },
        token: admin.access_token,
      });
      expect(maintenance.status).toBe(400);
      expect(await h.auth.maintenance.get()).toMatchObject({ enabled: false });
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
      // The values it already has: 200 with the user as it is, and no event.
      const same = await patch(id, { role: "viewer", disabled: false });
      expect(same.status).toBe(200);
      expect(await same.json()).toMatchObject({ id, role: "viewer", disabled: false });
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
      // The loser gets 403 when its change runs after the winner's (its authority is checked
      // again under the lock), or 401 when its session check already saw its account disabled.
      const statuses = [a.status, b.status].sort();
      expect([
        [200, 401],
        [200, 403],
      ]).toContainEqual(statuses);
      expect(await h.auth.users.countActiveAdmins()).toBe(1);
    });

    // SQLite: the PATCH transaction holds the writer lock throughout; nothing queues behind it.
    test.skipIf(t.backend !== "postgres")(
      "a PATCH queued behind its own caller's demotion does not commit",
      async () => {
        const { user: a } = await createUser("admin-a", "admin", "admin-a-password-1");
        const { user: b } = await createUser("admin-b", "admin", "admin-b-password-1");
        const aToken = (await h.login("admin-a", "admin-a-password-1")).access_token;
        // Another instance's admin change in progress: both PATCHes below queue for the lock.
        const held = await holdLocks(
          await t.openAnother(),
          "SELECT pg_advisory_xact_lock($1)",
          [0x7472_6164],
        );
        const demote = patch((a as UserJson).id, { role: "viewer" });
        expect(await lockWaits(await t.openAnother(), 1)).toBe(1);
        const disable = patch((b as UserJson).id, { disabled: true }, aToken);
        expect(await lockWaits(await t.openAnother(), 2)).toBe(2);
        held.release();
        await held.done;
        expect((await demote).status).toBe(200);
        expect((await disable).status).toBe(403);
        expect((await h.auth.users.findById((b as UserJson).id))?.disabled).toBe(false);
        expect(h.events.filter((e) => e.type === "user_disabled")).toEqual([]);
      },
    );

    test.skipIf(t.backend !== "postgres")(
      "a PATCH queued while its caller logs out does not commit",
      async () => {
        const { user: a } = await createUser("admin-c", "admin", "admin-c-password-1");
        const { user: b } = await createUser("viewer-d");
        const aPair = await h.login("admin-c", "admin-c-password-1");
        const held = await holdLocks(
          await t.openAnother(),
          "SELECT pg_advisory_xact_lock($1)",
          [0x7472_6164],
        );
        const promote = patch((b as UserJson).id, { role: "trader" }, aPair.access_token);
        expect(await lockWaits(await t.openAnother(), 1)).toBe(1);
        const logout = await h.post("/v1/auth/logout", {}, { token: aPair.access_token });
        expect(logout.status).toBe(204);
        held.release();
        await held.done;
        expect((await promote).status).toBe(403);
        expect((await h.auth.users.findById((b as UserJson).id))?.role).toBe("viewer");
        expect((a as UserJson).role).toBe("admin");
      },
    );

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
  },
  { fresh: "test" },
);
