/**
 * POST /v1/auth/login over the assembled app on SQLite and PostgreSQL: the
 * happy path, one indistinguishable failure, throttles before hashing,
 * hostile bodies, and the bootstrap admin.
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

    test("concurrent guesses share the budget: 60 at once verify only 5 passwords", async () => {
      const attempts = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          h.post(
            "/v1/auth/login",
            { username: "admin", password: `wrong-${i}` },
            { ip: "10.1.1.1" },
          ),
        ),
      );
      const statuses = attempts.map((r) => r.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(55);
      expect(h.events.filter((e) => e.type === "authn_login_fail")).toHaveLength(5);
      // The right password during the lockout is refused too, before any hashing.
      const right = await h.post("/v1/auth/login", { username: "admin", password: ADMIN_PASSWORD });
      expect(right.status).toBe(429);
    });

    test("concurrent guesses across accounts from one IP stop at the IP budget", async () => {
      const attempts = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          h.post("/v1/auth/login", { username: `user${i}`, password: "nope" }, { ip: "10.2.2.2" }),
        ),
      );
      expect(attempts.filter((r) => r.status === 401)).toHaveLength(20);
      expect(attempts.filter((r) => r.status === 429)).toHaveLength(20);
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

    test("per-account lockout: 5 failures, then even the right password gets 429 with Retry-After", async () => {
      for (let i = 0; i < 5; i++) {
        const res = await h.post(
          "/v1/auth/login",
          { username: "Admin", password: `bad-${i}` },
          { ip: `192.0.2.${10 + i}` },
        );
        expect(res.status).toBe(401);
      }
      const locked = await h.post(
        "/v1/auth/login",
        { username: "admin", password: ADMIN_PASSWORD },
        { ip: "192.0.2.99" },
      );
      expect(locked.status).toBe(429);
      expect((await errorOf(locked)).code).toBe("rate_limited");
      const retry = Number(locked.headers.get("retry-after"));
      expect(Number.isInteger(retry) && retry >= 1).toBe(true);
      expect(h.events.filter((e) => e.type === "authn_login_lock")).toHaveLength(1);
      // The lock lifts as the window refills.
      h.clock.advance(retry * 1000);
      expect(
        (await h.post("/v1/auth/login", { username: "admin", password: ADMIN_PASSWORD })).status,
      ).toBe(200);
    });

    test("a lockout reached through wrong current passwords is audited like a login lockout", async () => {
      const { access_token: token } = await h.login("admin", ADMIN_PASSWORD, "192.0.2.50");
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await h.post(
          "/v1/auth/password",
          { current_password: `bad-${i}`, new_password: "a-new-password-1" },
          { token, ip: `192.0.2.${60 + i}` },
        );
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401]);
      const locks = h.events.filter((e) => e.type === "authn_login_lock");
      expect(locks).toHaveLength(1);
      const me = h.events.find((e) => e.type === "authn_login_success");
      expect(locks[0]).toMatchObject({ actor: me?.target, target: me?.target, outcome: "failure" });
      const right = await h.post("/v1/auth/login", { username: "admin", password: ADMIN_PASSWORD });
      expect(right.status).toBe(429);
    });

    test("two instances sharing the store: the lockout is audited once, however failures interleave", async () => {
      const other = await buildAuthHarness(t.db(), {
        bootstrap: false,
        clock: h.clock,
        store: h.store,
      });
      // Guesses on both instances at once: the store charges each before its hash, so the two
      // together verify exactly the budget of 5, and the lockout is audited once.
      const attempts = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          (i % 2 ? other : h).post(
            "/v1/auth/login",
            { username: "admin", password: `bad-${i}` },
            { ip: `192.0.2.${120 + i}` },
          ),
        ),
      );
      expect(attempts.filter((r) => r.status === 401)).toHaveLength(5);
      expect(attempts.filter((r) => r.status === 429)).toHaveLength(11);
      const events = [...h.events, ...other.events];
      expect(events.filter((e) => e.type === "authn_login_fail")).toHaveLength(5);
      expect(events.filter((e) => e.type === "authn_login_lock")).toHaveLength(1);
    });

    test("unknown usernames are throttled exactly like known ones", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await h.post(
          "/v1/auth/login",
          { username: "Ghost", password: "x" },
          { ip: `192.0.2.${20 + i}` },
        );
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    });

    test("per-IP throttle: 20 failures from one address across accounts", async () => {
      for (let i = 0; i < 20; i++) {
        expect(
          (
            await h.post(
              "/v1/auth/login",
              { username: `user-${i}`, password: "x" },
              { ip: "203.0.113.50" },
            )
          ).status,
        ).toBe(401);
      }
      const res = await h.post(
        "/v1/auth/login",
        { username: "admin", password: ADMIN_PASSWORD },
        { ip: "203.0.113.50" },
      );
      expect(res.status).toBe(429);
      // Another address is unaffected.
      expect(
        (
          await h.post(
            "/v1/auth/login",
            { username: "admin", password: ADMIN_PASSWORD },
            { ip: "203.0.113.51" },
          )
        ).status,
      ).toBe(200);
    });

    test("hash capacity overflow answers 503 with Retry-After, never hangs", async () => {
      const narrow = await buildAuthHarness(t.db(), {
        env: { LOGIN_MAX_CONCURRENT_HASHES: "1", LOGIN_HASH_QUEUE: "0" },
        bootstrap: false,
      });
      const results = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          narrow.post(
            "/v1/auth/login",
            { username: "admin", password: `w${i}` },
            { ip: `192.0.2.${60 + i}` },
          ),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toContain(503);
      expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
      const busy = results.find((r) => r.status === 503) as Response;
      expect(busy.headers.get("retry-after")).toBe("1");
      expect((await errorOf(busy)).code).toBe("service_unavailable");
      // Only the attempts whose password was checked stay charged: the 503s were refunded.
      const checked = statuses.filter((s) => s === 401).length;
      const left: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await narrow.post(
          "/v1/auth/login",
          { username: "admin", password: `again-${i}` },
          { ip: `192.0.2.${70 + i}` },
        );
        left.push(res.status);
      }
      expect(left.filter((s) => s === 401)).toHaveLength(5 - checked);
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

    test("right passwords spend no budget: many good logins, then still 5 guesses", async () => {
      for (let i = 0; i < 12; i++) {
        expect(
          (
            await h.post(
              "/v1/auth/login",
              { username: "admin", password: ADMIN_PASSWORD },
              { ip: "192.0.2.90" },
            )
          ).status,
        ).toBe(200);
      }
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await h.post(
          "/v1/auth/login",
          { username: "admin", password: `bad-${i}` },
          { ip: "192.0.2.90" },
        );
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
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
