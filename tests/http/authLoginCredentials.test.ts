/**
 * POST /v1/auth/login over the assembled app on SQLite and PostgreSQL: the
 * happy path, one indistinguishable failure, names, hostile bodies, the
 * bootstrap admin and the signing secret. The throttles and lockouts are in
 * authLogin.test.ts.
 */
import { beforeEach, expect, test } from "bun:test";
import { createAuthService } from "../../src/auth/index.ts";
import { loginAccountKey } from "../../src/ratelimit/loginThrottle.ts";
import {
  ADMIN_PASSWORD,
  type AuthHarness,
  buildAuthHarness,
  errorOf,
  SECRET,
} from "../auth/support/authApp.ts";
import { describeEachDatabase } from "../support/databases.ts";

/** Body with request_id removed, and every header except the per-request ones. */
async function shape(res: Response) {
  const body = JSON.parse(await res.text());
  body.error.request_id = "<id>";
  const headers = [...res.headers.entries()].filter(([k]) => !["x-request-id", "date"].includes(k));
  return { status: res.status, body: JSON.stringify(body), headers };
}

describeEachDatabase(
  "login",
  (t) => {
    let h: AuthHarness;
    beforeEach(async () => {
      h = await buildAuthHarness(t.db());
    });

    test("good credentials → 200 token pair; the token works on /me", async () => {
      const res = await h.post("/v1/auth/login", { username: "admin", password: ADMIN_PASSWORD });
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      const pair = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(pair).sort()).toEqual([
        "access_token",
        "expires_in",
        "refresh_token",
        "token_type",
      ]);
      expect(pair.token_type).toBe("Bearer");
      expect(pair.expires_in).toBe(900);
      expect(pair.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const me = await h.send("/v1/auth/me", { token: pair.access_token as string });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ username: "admin", role: "admin" });
      expect(h.events.map((e) => e.type)).toEqual(["authn_login_success"]);
      // Nothing secret in the audit trail.
      expect(JSON.stringify(h.events)).not.toContain(ADMIN_PASSWORD);
      expect(JSON.stringify(h.events)).not.toContain(pair.refresh_token as string);
    });

    test("usernames are case-insensitive and NFC-normalized", async () => {
      await h.auth.users.create(
        {
          username: "Zoë",
          passwordHash: (await h.auth.users.findByUsername("admin"))?.passwordHash as string,
          role: "viewer",
        },
        h.clock.now(),
      );
      expect(
        (await h.post("/v1/auth/login", { username: "ADMIN", password: ADMIN_PASSWORD })).status,
      ).toBe(200);
      // "zoe" + combining diaeresis (NFD) is the same account as precomposed "Zoë".
      expect(
        (await h.post("/v1/auth/login", { username: "ZOE\u0308", password: ADMIN_PASSWORD }))
          .status,
      ).toBe(200);
      // A look-alike with a zero-width space is a different (unknown) name.
      expect(
        (await h.post("/v1/auth/login", { username: "ad\u200bmin", password: ADMIN_PASSWORD }))
          .status,
      ).toBe(401);
    });

    test("unknown user, wrong password and disabled user: byte-identical 401s", async () => {
      const created = await h.auth.users.create(
        {
          username: "off",
          passwordHash: (await h.auth.users.findByUsername("admin"))?.passwordHash as string,
          role: "viewer",
        },
        h.clock.now(),
      );
      await h.auth.users.update(created.id, { disabled: true }, h.clock.now());
      const unknown = await shape(
        await h.post("/v1/auth/login", { username: "nobody", password: "x" }, { ip: "192.0.2.1" }),
      );
      const wrong = await shape(
        await h.post("/v1/auth/login", { username: "admin", password: "x" }, { ip: "192.0.2.2" }),
      );
      const disabled = await shape(
        await h.post(
          "/v1/auth/login",
          { username: "off", password: ADMIN_PASSWORD },
          { ip: "192.0.2.3" },
        ),
      );
      const malformedName = await shape(
        await h.post(
          "/v1/auth/login",
          { username: "' OR 1=1 --", password: "x" },
          { ip: "192.0.2.4" },
        ),
      );
      // PostgreSQL text cannot hold U+0000: such a name must not reach the query (it was a 500).
      const nulName = await shape(
        await h.post(
          "/v1/auth/login",
          { username: "\u0000admin", password: "x" },
          { ip: "192.0.2.5" },
        ),
      );
      expect(unknown.status).toBe(401);
      expect(JSON.parse(unknown.body)).toEqual({
        error: {
          code: "invalid_credentials",
          message: "Invalid username or password.",
          request_id: "<id>",
        },
      });
      // RFC 9110 §15.5.2: every 401 carries a challenge; the same one for every failure.
      expect(unknown.headers).toContainEqual(["www-authenticate", 'Bearer realm="trading-server"']);
      for (const other of [wrong, disabled, malformedName, nulName]) expect(other).toEqual(unknown);
      expect(h.events.filter((e) => e.type === "authn_login_fail")).toHaveLength(5);
    });

    test("unknown users cost a password verification too (no quick exit)", async () => {
      const timed = async (username: string) => {
        const start = performance.now();
        await h.post(
          "/v1/auth/login",
          { username, password: "wrong" },
          { ip: `192.0.2.${Math.floor(Math.random() * 200)}` },
        );
        return performance.now() - start;
      };
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 5; i++) {
        known.push(await timed("admin"));
        unknown.push(await timed(`ghost-${i}`));
        await h.store.reset([loginAccountKey("admin")]);
      }
      const median = (xs: number[]) =>
        [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
      // argon2id costs ~20+ ms; a quick exit for unknown names would be ~1 ms.
      // Wide bounds: the machine is shared; a quick exit would be a ratio near 0.03.
      expect(median(unknown) / median(known)).toBeGreaterThan(0.33);
      expect(median(unknown) / median(known)).toBeLessThan(3);
    });

    test("a password with invalid UTF-8 is a 400, not a match for another byte string", async () => {
      const raw = (byte: number) =>
        h.app.request("/v1/auth/login", {
          method: "POST",
          body: new Uint8Array([
            ...Buffer.from('{"username":"admin","password":"x'),
            byte,
            ...Buffer.from('"}'),
          ]),
          headers: { "content-type": "application/json" },
        });
      for (const byte of [0xff, 0xfe, 0x80]) expect((await raw(byte)).status).toBe(400);
      expect(h.events.filter((e) => e.type === "authn_login_fail")).toHaveLength(0);
    });

    test("a password with a lone surrogate escape is a 400, not a match for another one", async () => {
      // "\ud800x" and "\udfffx" both encode to U+FFFD x: they matched each other (a fuzz probe).
      for (const escaped of ["\\ud800x", "\\udfffx", "x\\uD83D"]) {
        const res = await h.app.request("/v1/auth/login", {
          method: "POST",
          body: `{"username":"admin","password":"${escaped}"}`,
          headers: { "content-type": "application/json" },
        });
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
          "invalid_request",
        );
      }
      // A name with one names nobody: the same 401 as any unknown name, no query.
      const name = await h.app.request("/v1/auth/login", {
        method: "POST",
        body: '{"username":"adm\\ud800in","password":"x"}',
        headers: { "content-type": "application/json", "x-forwarded-for": "192.0.2.77" },
      });
      expect(name.status).toBe(401);
      expect(h.events.filter((e) => e.type === "authn_login_fail")).toHaveLength(1);
    });

    test.each([
      ["not JSON", "{username:admin"],
      ["JSON array", "[]"],
      ["JSON string", '"admin"'],
      ["null", "null"],
      ["missing password", JSON.stringify({ username: "admin" })],
      ["username number", JSON.stringify({ username: 1, password: "x" })],
      ["password object", JSON.stringify({ username: "admin", password: { $ne: "" } })],
      ["nested", JSON.stringify({ username: { a: { b: { c: [1, [2, [3]]] } } }, password: "x" })],
      ["empty username", JSON.stringify({ username: "", password: "x" })],
      ["username over 256", JSON.stringify({ username: "a".repeat(257), password: "x" })],
      [
        "password over 1024 bytes",
        JSON.stringify({ username: "admin", password: "é".repeat(513) }),
      ],
    ])("hostile body (%s) → 400 invalid_request, no hashing", async (_name, body) => {
      const res = await h.post("/v1/auth/login", body);
      expect(res.status).toBe(400);
      const err = await errorOf(res);
      expect(err.code).toBe("invalid_request");
      expect(JSON.stringify(err)).not.toContain("$ne");
      expect(h.events).toHaveLength(0);
    });

    test("wrong content type → 400; huge body → 413; deep nesting → 400", async () => {
      const text = await h.send("/v1/auth/login", {
        method: "POST",
        body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
        headers: { "content-type": "text/plain" },
      });
      expect(text.status).toBe(400);
      const huge = await h.post("/v1/auth/login", {
        username: "admin",
        password: "x".repeat(20_000),
      });
      expect(huge.status).toBe(413);
      expect((await errorOf(huge)).code).toBe("payload_too_large");
      const deep = await h.post("/v1/auth/login", `${"[".repeat(3000)}${"]".repeat(3000)}`);
      expect(deep.status).toBe(400);
    });

    test("a 256-character username and a 1024-byte password take the normal path", async () => {
      const res = await h.post("/v1/auth/login", {
        username: "ü".repeat(256),
        password: "é".repeat(512),
      });
      expect(res.status).toBe(401);
    });

    test("the service refuses to start without a signing secret", () => {
      expect(() =>
        createAuthService({
          db: t.db(),
          config: { ...h.config, SECURITY_SECRET_KEY: undefined },
          throttle: h.auth.throttle,
          audit: async () => {},
          clock: h.clock,
        }),
      ).toThrow();
      expect(SECRET.length).toBeGreaterThan(32);
    });
  },
  { fresh: "test" },
);
