/**
 * /v1/admin/audit listing (newest first, filters, cursor, chain verification)
 * and the OpenAPI document (every auth and admin route, operation ids, the
 * limits the validators check), on SQLite and PostgreSQL.
 */
import { beforeEach, expect, test } from "bun:test";
import { disableAppendOnly } from "../audit/tamper.ts";
import {
  ADMIN_PASSWORD,
  type AuthHarness,
  buildAuthHarness,
  type ErrorBodyJson,
  type TokenPairBody,
} from "../auth/support/authApp.ts";
import { describeEachDatabase } from "../support/databases.ts";
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

    const { createUser } = adminRequests(() => ({ h, admin }));

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

    test("a failed verification is logged at error, where alerts look", async () => {
      const lines: string[] = [];
      const logged = await buildAuthHarness(t.db(), { lines, bootstrap: false });
      const token = (await logged.login("admin", ADMIN_PASSWORD)).access_token;
      const verify = () => logged.send("/v1/admin/audit/verify", { token });
      expect(await (await verify()).json()).toMatchObject({ ok: true });
      expect(lines.filter((l) => l.includes('"level":"error"'))).toEqual([]);
      await disableAppendOnly(t.db());
      await t.db().sql`DELETE FROM audit_events WHERE seq = 2`;
      const failed = (await (await verify()).json()) as { reason: string };
      expect(failed).toMatchObject({ ok: false, first_bad_seq: 2 });
      const errors = lines.filter((l) => l.includes('"level":"error"'));
      expect(errors).toHaveLength(1);
      expect(JSON.parse(errors[0] as string)).toMatchObject({
        msg: "audit chain verification failed",
        first_bad_seq: 2,
        reason: failed.reason,
      });
    });

    test("audit listing refuses a filter it does not have instead of ignoring it, and shows the user agent", async () => {
      await h.send("/v1/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "desk-cli/1.2" },
        body: JSON.stringify({ username: "admin", password: "wrong password" }),
      });
      const unknown = await h.send(`/v1/admin/audit?ip=203.0.113.9&${"k".repeat(500)}=1`, {
        token: admin.access_token,
      });
      expect(unknown.status).toBe(400);
      const body = (await unknown.json()) as {
        error: { code: string; details: { path: string; message: string }[] };
      };
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.details).toEqual([
        { path: "query.ip", message: "is not a known field" },
        { path: `query.${"k".repeat(64)}`, message: "is not a known field" },
      ]);
      expect(JSON.stringify(body)).not.toContain("203.0.113.9");

      const page = (await (
        await h.send("/v1/admin/audit?type=authn_login_fail", { token: admin.access_token })
      ).json()) as { events: { user_agent: string | null }[] };
      expect(page.events[0]?.user_agent).toBe("desk-cli/1.2");
    });

    test("audit listing by target: one account's failed logins (their actor is null)", async () => {
      const { user } = await createUser("tara");
      for (const name of ["tara", "admin"]) {
        await h.post("/v1/auth/login", { username: name, password: "wrong password" });
      }
      const page = (await (
        await h.send(`/v1/admin/audit?type=authn_login_fail&target=${user?.id}`, {
          token: admin.access_token,
        })
      ).json()) as { events: { target: string; actor: string | null }[] };
      expect(page.events).toEqual([expect.objectContaining({ target: user?.id, actor: null })]);
      const none = (await (
        await h.send(`/v1/admin/audit?actor=${user?.id}&type=authn_login_fail`, {
          token: admin.access_token,
        })
      ).json()) as { events: unknown[] };
      expect(none.events).toEqual([]);
    });

    test("an audit filter with an escape that decodes to nothing is a 400, after authentication", async () => {
      expect((await h.send("/v1/admin/audit?actor=%zz")).status).toBe(401);
      const bad = await h.send("/v1/admin/audit?limit=5&actor=%E2%82", {
        token: admin.access_token,
      });
      expect(bad.status).toBe(400);
      const body = (await bad.json()) as { error: { details: { path: string }[] } };
      expect(body.error.details[0]?.path).toBe("query[2]");
      // The same text escaped properly is a filter like any other: it matches nothing here.
      const literal = await h.send("/v1/admin/audit?actor=%25zz", { token: admin.access_token });
      expect(((await literal.json()) as { events: unknown[] }).events).toEqual([]);
    });

    test("routes without query parameters refuse one instead of ignoring it", async () => {
      for (const [method, path] of [
        ["GET", "/v1/auth/me?verbose=1"],
        ["GET", "/v1/admin/users?role=admin"],
        ["GET", "/v1/admin/maintenance?all=1"],
        ["GET", "/v1/admin/audit/verify?from=5"],
        ["POST", "/v1/auth/logout?everywhere=true"],
      ] as const) {
        const res = await h.send(path, { method, token: admin.access_token });
        const body = (await res.json()) as ErrorBodyJson;
        expect([path, res.status, body.error.code]).toEqual([path, 400, "invalid_request"]);
        expect(body.error.details).toEqual([
          { path: `query.${path.split("?")[1]?.split("=")[0]}`, message: "is not a known field" },
        ]);
      }
      // Nothing was done: the session is still alive.
      expect((await h.send("/v1/auth/me", { token: admin.access_token })).status).toBe(200);
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
