/**
 * Tokens in use: bearer parsing and WWW-Authenticate, refresh rotation and
 * reuse detection, concurrent refreshes, logout, password change, disabled
 * users, session lifetimes, and revocation seen by a second instance on the
 * same database — on SQLite and PostgreSQL.
 */
import { beforeEach, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { createUserWithPassword, keyId } from "../../src/auth/index.ts";
import {
  ADMIN_PASSWORD,
  type AuthHarness,
  buildAuthHarness,
  errorOf,
  SECRET,
  type TokenPairBody,
} from "../auth/support/authApp.ts";
import { describeEachDatabase } from "../support/databases.ts";

const REALM = 'Bearer realm="trading-server"';
const INVALID = `${REALM}, error="invalid_token"`;

async function expectInvalidToken(res: Response) {
  expect(res.status).toBe(401);
  expect(res.headers.get("www-authenticate")).toBe(INVALID);
  expect((await errorOf(res)).code).toBe("unauthorized");
}

async function refreshBody(res: Response) {
  const text = await res.text();
  const body = JSON.parse(text);
  if (body.error) body.error.request_id = "<id>";
  return { status: res.status, body };
}

describeEachDatabase(
  "sessions",
  (t) => {
    let h: AuthHarness;
    let pair: TokenPairBody;
    beforeEach(async () => {
      h = await buildAuthHarness(t.db());
      pair = await h.login("admin", ADMIN_PASSWORD);
    });

    const me = (token: string) => h.send("/v1/auth/me", { token });
    const refresh = (token: unknown) => h.post("/v1/auth/refresh", { refresh_token: token });

    test("a password change or disable that lands while a login is being checked ends that login", async () => {
      const password = "racer-password-1";
      const racer = await createUserWithPassword(h.auth, {
        username: "racer",
        password,
        role: "viewer",
      });
      // Run `change` right after the login's password check, before its session exists.
      const run = h.auth.hasher.run.bind(h.auth.hasher);
      let change: (() => Promise<unknown>) | undefined;
      h.auth.hasher.run = async <T>(job: () => Promise<T>): Promise<T> => {
        const result = await run(job);
        const pending = change;
        change = undefined;
        await pending?.();
        return result;
      };
      const sessionsOf = async () =>
        (await h.auth.db.sql`SELECT id FROM sessions WHERE user_id = ${racer.id}`).length;
      const successes = () =>
        h.events.filter((e) => e.type === "authn_login_success" && e.target === racer.id).length;

      change = () =>
        h.auth.users.setPasswordHash(racer.id, racer.passwordHash, true, h.clock.now());
      const afterChange = await h.post("/v1/auth/login", { username: "racer", password });
      expect(afterChange.status).toBe(401);

      change = () => h.auth.users.update(racer.id, { disabled: true }, h.clock.now());
      expect((await h.post("/v1/auth/login", { username: "racer", password })).status).toBe(401);
      await h.auth.users.update(racer.id, { disabled: false }, h.clock.now());
      expect([await sessionsOf(), successes()]).toEqual([0, 0]);

      // Without a change in between, the same login works.
      expect((await h.post("/v1/auth/login", { username: "racer", password })).status).toBe(200);
      expect([await sessionsOf(), successes()]).toEqual([1, 1]);
    });

    test("no token → 401 with a bare challenge; bad tokens → invalid_token", async () => {
      const none = await h.send("/v1/auth/me");
      expect(none.status).toBe(401);
      expect(none.headers.get("www-authenticate")).toBe(REALM);
      for (const header of ["Bearer garbage", `Bearer ${pair.access_token}=`, "Bearer  x y"]) {
        await expectInvalidToken(
          await h.send("/v1/auth/me", { headers: { authorization: header } }),
        );
      }
      // No bearer token sent at all (another scheme, or the scheme alone): the bare challenge.
      for (const header of [
        "Basic YWRtaW46eA==",
        `Token ${pair.access_token}`,
        "Bearer",
        "Bearer   ",
      ]) {
        const res = await h.send("/v1/auth/me", { headers: { authorization: header } });
        expect([header, res.status, res.headers.get("www-authenticate")]).toEqual([
          header,
          401,
          REALM,
        ]);
      }
      // Scheme is case-insensitive (RFC 6750).
      expect(
        (await h.send("/v1/auth/me", { headers: { authorization: `bearer ${pair.access_token}` } }))
          .status,
      ).toBe(200);
    });

    test("local verification never rejects by itself: a bad token does not block anonymous routes", async () => {
      const res = await h.post(
        "/v1/auth/login",
        { username: "admin", password: ADMIN_PASSWORD },
        { token: "garbage.token.here" },
      );
      expect(res.status).toBe(200);
    });

    test("maintenance answers 503 before any session check, even for a revoked token", async () => {
      await h.auth.maintenance.set({ enabled: true, reason: "drill" });
      await h.post("/v1/auth/logout", {}, { token: pair.access_token });
      const res = await h.send("/v1/market/ping", { token: pair.access_token });
      expect(res.status).toBe(503);
      expect((await errorOf(res)).code).toBe("maintenance");
      await h.auth.maintenance.set({ enabled: false, reason: "" });
    });

    test("audit events carry ip, user agent and request id", async () => {
      await h.send("/v1/auth/login", {
        method: "POST",
        body: JSON.stringify({ username: "admin", password: "wrong" }),
        headers: {
          "content-type": "application/json",
          "user-agent": "probe/1.0",
          "x-request-id": "req-123",
        },
        ip: "192.0.2.77",
      });
      expect(h.events.at(-1)).toMatchObject({
        type: "authn_login_fail",
        ip: "192.0.2.77",
        userAgent: "probe/1.0",
        requestId: "req-123",
        outcome: "failure",
      });
    });

    test("an expired token is refused (after the 30 s leeway)", async () => {
      h.clock.advance((900 + 29) * 1000);
      expect((await me(pair.access_token)).status).toBe(200);
      h.clock.advance(1000);
      await expectInvalidToken(await me(pair.access_token));
    });

    test("a validly signed token for a session that does not exist is refused", async () => {
      const claims = JSON.parse(
        Buffer.from(pair.access_token.split(".")[1] as string, "base64url").toString(),
      );
      const input = `${Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT", kid: keyId(SECRET) })).toString("base64url")}.${Buffer.from(JSON.stringify({ ...claims, sid: "forged-session" })).toString("base64url")}`;
      const forged = `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
      await expectInvalidToken(await me(forged));
    });

    test("a validly signed token with U+0000 in an id is refused before any lookup", async () => {
      const claims = JSON.parse(
        Buffer.from(pair.access_token.split(".")[1] as string, "base64url").toString(),
      );
      const header = Buffer.from(
        JSON.stringify({ alg: "HS256", typ: "JWT", kid: keyId(SECRET) }),
      ).toString("base64url");
      for (const field of ["sid", "sub", "jti"]) {
        const payload = { ...claims, [field]: `${claims[field]}\u0000` };
        const input = `${header}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
        const forged = `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
        await expectInvalidToken(await me(forged));
      }
    });

    test("refresh rotates: new pair, the old refresh token is spent", async () => {
      const res = await refresh(pair.refresh_token);
      expect(res.status).toBe(200);
      const next = (await res.json()) as TokenPairBody;
      expect(next.refresh_token).not.toBe(pair.refresh_token);
      expect((await me(next.access_token)).status).toBe(200);
      expect(h.events.at(-1)?.type).toBe("authn_token_refresh");
      // Only the digest is stored.
      const rows = await t.db().sql<{ token_hash: string }>`SELECT token_hash FROM refresh_tokens`;
      expect(
        rows.some(
          (r) => r.token_hash.includes(pair.refresh_token) || r.token_hash === next.refresh_token,
        ),
      ).toBe(false);
    });

    test("every refresh failure is the same 400 invalid_grant", async () => {
      const spent = pair.refresh_token;
      await refresh(spent);
      const cases = [
        await refresh("not-a-token"),
        await refresh("A".repeat(43)),
        await refresh(""),
        await refresh("x".repeat(5000)), // any string, however long (within the body limit)
        await refresh(spent), // within grace
      ];
      const shapes = await Promise.all(cases.map(refreshBody));
      for (const s of shapes) {
        expect(s).toEqual({
          status: 400,
          body: {
            error: {
              code: "invalid_grant",
              message: "The refresh token is invalid or expired.",
              request_id: "<id>",
            },
          },
        });
      }
      expect((await errorOf(await refresh(42))).code).toBe("invalid_request");
      expect((await h.post("/v1/auth/refresh", "not json")).status).toBe(400);
      expect((await errorOf(await h.post("/v1/auth/refresh", {}))).code).toBe("invalid_request");
    });

    test("replay within the grace: invalid_grant, session survives", async () => {
      const next = (await (await refresh(pair.refresh_token)).json()) as TokenPairBody;
      h.clock.advance(10_000);
      expect((await refresh(pair.refresh_token)).status).toBe(400);
      expect((await me(next.access_token)).status).toBe(200);
      expect((await refresh(next.refresh_token)).status).toBe(200);
      expect(h.events.some((e) => e.type === "authn_token_reuse")).toBe(false);
    });

    test("replay after the grace revokes the whole session and is audited", async () => {
      const next = (await (await refresh(pair.refresh_token)).json()) as TokenPairBody;
      h.clock.advance(10_001);
      expect((await refresh(pair.refresh_token)).status).toBe(400);
      await expectInvalidToken(await me(next.access_token));
      expect((await refresh(next.refresh_token)).status).toBe(400);
      const reuse = h.events.find((e) => e.type === "authn_token_reuse");
      expect(reuse).toMatchObject({ outcome: "failure", target: expect.any(String) });
      expect(JSON.stringify(reuse)).not.toContain(pair.refresh_token);
      // Replays of the spent token, one after another or at once, are refused and not
      // audited again: the session they could end is over.
      expect((await refresh(pair.refresh_token)).status).toBe(400);
      const burst = await Promise.all(Array.from({ length: 5 }, () => refresh(pair.refresh_token)));
      expect(burst.every((r) => r.status === 400)).toBe(true);
      expect(h.events.filter((e) => e.type === "authn_token_reuse")).toHaveLength(1);
    });

    test("a spent token replayed after logout is audited once, as reuse of an ended session", async () => {
      const next = (await (await refresh(pair.refresh_token)).json()) as TokenPairBody;
      await h.post("/v1/auth/logout", {}, { token: next.access_token });
      h.clock.advance(10_001);
      for (let i = 0; i < 3; i++) expect((await refresh(pair.refresh_token)).status).toBe(400);
      const reuse = h.events.filter((e) => e.type === "authn_token_reuse");
      expect(reuse).toHaveLength(1);
      expect(reuse[0]).toMatchObject({ details: { action: "session_already_ended" } });
    });

    test("concurrent refreshes with one token mint at most one pair", async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, () => refresh(pair.refresh_token)),
      );
      expect(results.map((r) => r.status).filter((s) => s === 200)).toHaveLength(1);
      expect(results.every((r) => r.status === 200 || r.status === 400)).toBe(true);
      const rows = await t.db().sql<{ n: number }>`SELECT COUNT(*) AS n FROM refresh_tokens`;
      expect(Number(rows[0]?.n)).toBe(2);
    });

    // Several instances means PostgreSQL. Two SQLite handles in one process would block each
    // other: SQLite's busy wait is synchronous and stalls the event loop the other handle needs.
    test.skipIf(t.backend === "sqlite")(
      "concurrent refreshes through two instances (two connections) mint at most one pair",
      async () => {
        const other = await buildAuthHarness(await t.openAnother(), {
          clock: h.clock,
          bootstrap: false,
        });
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            (i % 2 ? other : h).post("/v1/auth/refresh", { refresh_token: pair.refresh_token }),
          ),
        );
        expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      },
    );

    test("logout ends this session's access and refresh tokens, not others", async () => {
      const second = await h.login("admin", ADMIN_PASSWORD);
      const out = await h.post("/v1/auth/logout", {}, { token: pair.access_token });
      expect(out.status).toBe(204);
      await expectInvalidToken(await me(pair.access_token));
      expect((await refresh(pair.refresh_token)).status).toBe(400);
      expect((await me(second.access_token)).status).toBe(200);
      expect(h.events.some((e) => e.type === "session_logout")).toBe(true);
    });

    test("revocation by one instance is seen by another at once", async () => {
      const other = await buildAuthHarness(await t.openAnother(), {
        clock: h.clock,
        bootstrap: false,
      });
      expect((await other.send("/v1/auth/me", { token: pair.access_token })).status).toBe(200);
      expect((await h.post("/v1/auth/logout", {}, { token: pair.access_token })).status).toBe(204);
      await expectInvalidToken(await other.send("/v1/auth/me", { token: pair.access_token }));
    });

    test("concurrent password changes that all know the current password: one wins, the others get 409", async () => {
      const attempts = await Promise.all(
        ["first-new-pass-1", "second-new-pass-2", "third-new-pass-3"].map((next) =>
          h.post(
            "/v1/auth/password",
            { current_password: ADMIN_PASSWORD, new_password: next },
            { token: pair.access_token },
          ),
        ),
      );
      const statuses = attempts.map((r) => r.status);
      expect(statuses.filter((s) => s === 204)).toHaveLength(1);
      expect(statuses.every((s) => s === 204 || s === 409 || s === 401)).toBe(true);
      const successes = h.events.filter(
        (e) => e.type === "authn_password_change" && e.outcome === "success",
      );
      expect(successes).toHaveLength(1);
      const winner = ["first-new-pass-1", "second-new-pass-2", "third-new-pass-3"][
        statuses.indexOf(204)
      ] as string;
      expect((await h.post("/v1/auth/login", { username: "admin", password: winner })).status).toBe(
        200,
      );
    });

    test("password change ends every session and old tokens minted before it", async () => {
      const second = await h.login("admin", ADMIN_PASSWORD);
      const wrong = await h.post(
        "/v1/auth/password",
        { current_password: "nope", new_password: "a-new-password-1" },
        { token: pair.access_token },
      );
      expect(wrong.status).toBe(401);
      expect((await errorOf(wrong)).code).toBe("invalid_credentials");
      const short = await h.post(
        "/v1/auth/password",
        { current_password: ADMIN_PASSWORD, new_password: "short" },
        { token: pair.access_token },
      );
      expect(short.status).toBe(400);
      const ok = await h.post(
        "/v1/auth/password",
        { current_password: ADMIN_PASSWORD, new_password: "a-new-password-1" },
        { token: pair.access_token },
      );
      expect(ok.status).toBe(204);
      for (const p of [pair, second]) {
        await expectInvalidToken(await me(p.access_token));
        expect((await refresh(p.refresh_token)).status).toBe(400);
      }
      expect(
        (await h.post("/v1/auth/login", { username: "admin", password: ADMIN_PASSWORD })).status,
      ).toBe(401);
      expect(
        (await h.post("/v1/auth/login", { username: "admin", password: "a-new-password-1" }))
          .status,
      ).toBe(200);
      const changes = h.events
        .filter((e) => e.type === "authn_password_change")
        .map((e) => e.outcome);
      expect(changes).toEqual(["failure", "success"]);
      expect(JSON.stringify(h.events)).not.toContain("a-new-password-1");
    });

    test("a token minted before a token-version bump is refused even if its session lives", async () => {
      const user = await h.auth.users.findByUsername("admin");
      await t.db()
        .sql`UPDATE users SET token_version = token_version + 1 WHERE id = ${user?.id as string}`;
      await expectInvalidToken(await me(pair.access_token));
    });

    test("idle lifetime: no refresh for SESSION_IDLE_TTL ends the session", async () => {
      const s = await buildAuthHarness(t.db(), {
        env: { SESSION_IDLE_TTL: "30m", SESSION_ABSOLUTE_TTL: "2h", ACCESS_TOKEN_TTL: "1h" },
        clock: h.clock,
        bootstrap: false,
      });
      const p = await s.login("admin", ADMIN_PASSWORD);
      h.clock.advance(29 * 60_000);
      expect((await s.send("/v1/auth/me", { token: p.access_token })).status).toBe(200);
      const r = (await (
        await s.post("/v1/auth/refresh", { refresh_token: p.refresh_token })
      ).json()) as TokenPairBody;
      h.clock.advance(29 * 60_000);
      expect((await s.send("/v1/auth/me", { token: r.access_token })).status).toBe(200);
      h.clock.advance(2 * 60_000);
      await expectInvalidToken(await s.send("/v1/auth/me", { token: r.access_token }));
      expect((await s.post("/v1/auth/refresh", { refresh_token: r.refresh_token })).status).toBe(
        400,
      );
    });

    test("absolute lifetime: the session ends however often it is refreshed", async () => {
      const s = await buildAuthHarness(t.db(), {
        env: { SESSION_IDLE_TTL: "30m", SESSION_ABSOLUTE_TTL: "1h", ACCESS_TOKEN_TTL: "1h" },
        clock: h.clock,
        bootstrap: false,
      });
      let p = await s.login("admin", ADMIN_PASSWORD);
      for (let i = 0; i < 3; i++) {
        h.clock.advance(20 * 60_000 - 1);
        const res = await s.post("/v1/auth/refresh", { refresh_token: p.refresh_token });
        expect(res.status).toBe(200);
        p = (await res.json()) as TokenPairBody;
      }
      h.clock.advance(10);
      await expectInvalidToken(await s.send("/v1/auth/me", { token: p.access_token }));
      expect((await s.post("/v1/auth/refresh", { refresh_token: p.refresh_token })).status).toBe(
        400,
      );
    });

    test("a token signed with a retired key still works during rotation", async () => {
      const rotated = await buildAuthHarness(t.db(), {
        env: {
          SECURITY_SECRET_KEY: "the-new-secret-after-rotation-0123456789abcdefghij",
          SECURITY_SECRET_KEY_PREVIOUS: SECRET,
        },
        clock: h.clock,
        bootstrap: false,
      });
      expect((await rotated.send("/v1/auth/me", { token: pair.access_token })).status).toBe(200);
      const dropped = await buildAuthHarness(t.db(), {
        env: { SECURITY_SECRET_KEY: "the-new-secret-after-rotation-0123456789abcdefghij" },
        clock: h.clock,
        bootstrap: false,
      });
      await expectInvalidToken(await dropped.send("/v1/auth/me", { token: pair.access_token }));
    });
  },
  { fresh: "test" },
);
