/**
 * JSON bodies on the real auth and admin routes: the body checks
 * (strictJsonText) run after authentication and routing, so a bad body never
 * turns a 401, 403, 404 or 405 into a 400; and every route with a JSON body in
 * /openapi.json refuses what they refuse.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Database, migrate, openDatabase } from "../../src/storage/index.ts";
import {
  ADMIN_PASSWORD,
  type AuthHarness,
  buildAuthHarness,
  errorOf,
  type TokenPairBody,
} from "../auth/support/authApp.ts";

const dir = mkdtempSync(join(tmpdir(), "json-bodies-"));
let db: Database;
let h: AuthHarness;
let admin: TokenPairBody;
let viewer: TokenPairBody;
beforeAll(async () => {
  db = await openDatabase(`sqlite://${join(dir, "t.db")}`);
  await migrate(db);
  h = await buildAuthHarness(db);
  admin = await h.login("admin", ADMIN_PASSWORD);
  await h.post(
    "/v1/admin/users",
    { username: "vera", password: "viewer-password-1", role: "viewer" },
    { token: admin.access_token },
  );
  viewer = await h.login("vera", "viewer-password-1");
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `{"x":"<0xff>"}`: JSON in shape, not UTF-8. */
const NOT_UTF8 = new Uint8Array([...Buffer.from('{"x":"'), 0xff, ...Buffer.from('"}')]);

const send = (
  path: string,
  method: string,
  body: string | Uint8Array,
  token?: string,
  type?: string,
) =>
  h.send(path, {
    method,
    body,
    headers: { "content-type": type ?? "application/json" },
    ...(token !== undefined && { token }),
  });

describe("a bad body does not change who is refused first", () => {
  test.each([
    ["POST", "/v1/auth/logout", undefined, 401],
    ["POST", "/v1/admin/revoke-all", undefined, 401],
    ["POST", "/v1/admin/users", undefined, 401],
    ["POST", "/v1/admin/users", "viewer", 403],
    ["PATCH", "/v1/admin/users/x", "viewer", 403],
    ["PUT", "/v1/admin/maintenance", "viewer", 403],
    ["POST", "/v1/admin/revoke-all", "viewer", 403],
    ["POST", "/nowhere", undefined, 404],
    ["POST", "/healthz", undefined, 405],
    ["DELETE", "/v1/auth/me", "viewer", 405],
  ] as const)("%s %s as %p → %p", async (method, path, who, status) => {
    const token = who === "viewer" ? viewer.access_token : undefined;
    for (const body of [NOT_UTF8, '{"a":1,"a":2}', '{"a":1}']) {
      expect((await send(path, method, body, token)).status).toBe(status);
    }
    const labelled = await send(path, method, "{}", token, "application/json; charset=latin1");
    expect(labelled.status).toBe(status);
  });

  test("logout ignores a body it does not read, and ends the session", async () => {
    const pair = await h.login("vera", "viewer-password-1");
    expect((await send("/v1/auth/logout", "POST", NOT_UTF8, pair.access_token)).status).toBe(204);
    expect((await h.send("/v1/auth/me", { token: pair.access_token })).status).toBe(401);
  });
});

/** Method and path (with a stand-in id) of every operation /openapi.json gives a request body. */
async function routesWithBody(): Promise<(readonly [string, string])[]> {
  const doc = (await (await h.send("/openapi.json")).json()) as {
    paths: Record<string, Record<string, { requestBody?: unknown }>>;
  };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op.requestBody !== undefined)
      .map(([method]) => [method.toUpperCase(), path.replace("{id}", "x")] as const),
  );
}

describe("every route with a JSON body refuses what is not plain UTF-8 JSON with unique keys", () => {
  test("the document lists them", async () => {
    expect((await routesWithBody()).map(([m, p]) => `${m} ${p}`).sort()).toEqual([
      "PATCH /v1/admin/users/x",
      "POST /v1/admin/users",
      "POST /v1/auth/login",
      "POST /v1/auth/password",
      "POST /v1/auth/refresh",
      "PUT /v1/admin/maintenance",
    ]);
  });

  const cases: [string, string | Uint8Array, Record<string, string>, string][] = [
    ["not UTF-8", NOT_UTF8, {}, "The request body is not valid UTF-8."],
    [
      "a key twice",
      '{"role":"viewer","role":"admin"}',
      {},
      "The request body names a key twice in one object.",
    ],
    [
      "another charset",
      "{}",
      { "content-type": "application/json; charset=utf-16" },
      "The request body must be UTF-8 JSON; no other charset is read.",
    ],
    [
      "another charset after a UTF-8 one",
      "{}",
      { "content-type": "application/json; charset=utf-8; charset=utf-16" },
      "The request body must be UTF-8 JSON; no other charset is read.",
    ],
    [
      "nested too deeply",
      `{"x":${"[".repeat(40)}${"]".repeat(40)}}`,
      {},
      "The request body is nested more than 32 levels deep.",
    ],
    [
      "compressed",
      "{}",
      { "content-encoding": "gzip" },
      "Content-Encoding is not supported; send the body uncompressed.",
    ],
    ["not JSON", "{username:", {}, "The request body is not valid JSON."],
    ["empty", "", {}, "The request body is not valid JSON."],
    [
      "JSON sent as a form (curl -d)",
      '{"x":1}',
      { "content-type": "application/x-www-form-urlencoded" },
      "The request body must be JSON, sent as Content-Type: application/json.",
    ],
    [
      "JSON sent as text (fetch with a string body)",
      '{"x":1}',
      { "content-type": "text/plain;charset=UTF-8" },
      "The request body must be JSON, sent as Content-Type: application/json.",
    ],
  ];
  for (const [name, body, headers, message] of cases) {
    test(`${name}: 400 invalid_request on each`, async () => {
      for (const [method, path] of await routesWithBody()) {
        const res = await h.send(path, {
          method,
          body,
          headers: { "content-type": "application/json", ...headers },
          token: admin.access_token,
        });
        expect([path, res.status]).toEqual([path, 400]);
        const error = await errorOf(res);
        expect([path, error.code, error.message]).toEqual([path, "invalid_request", message]);
        // DESIGN §6: validation errors carry details, naming the part at fault.
        expect([path, error.details?.[0]?.path]).toEqual([path, expect.stringMatching(/^json/)]);
      }
    });
  }

  test("a body that is not JSON, or not labelled JSON, says so in details", async () => {
    const detailsOf = async (body: string, type?: string) => {
      const res = await h.send("/v1/auth/refresh", {
        method: "POST",
        body,
        ...(type !== undefined && { headers: { "content-type": type } }),
      });
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { details?: unknown } }).error.details;
    };
    expect(await detailsOf("not json", "application/json")).toEqual([
      { path: "json", message: "is not valid JSON" },
    ]);
    expect(await detailsOf(" ", "application/json")).toEqual([
      { path: "json", message: "is empty" },
    ]);
    expect(await detailsOf('{"refresh_token":"x"}')).toEqual([
      { path: "json", message: "Content-Type is not application/json" },
    ]);
  });

  test("the duplicate is named by its path, never by its value", async () => {
    const res = await h.post(
      "/v1/admin/users",
      '{"username":"dup","password":"hunter2-secret","role":"viewer","password":"other-secret"}',
      { token: admin.access_token },
    );
    const text = await res.text();
    expect(JSON.parse(text).error.details).toEqual([
      { path: "json.password", message: "appears more than once" },
    ]);
    expect(text).not.toContain("secret");
    // Nothing was created.
    const list = await h.send("/v1/admin/users", { token: admin.access_token });
    expect(JSON.stringify(await list.json())).not.toContain('"dup"');
  });
});
