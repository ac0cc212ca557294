/**
 * Sessions on SQLite and PostgreSQL: a password change or disable racing a
 * login, audit context, logout, revocation seen by a second instance on the
 * same database, password changes, and idle and absolute lifetimes. Bearer
 * parsing is in authBearer.test.ts, refresh rotation in authRefresh.test.ts.
 */
import { beforeEach, expect, test } from "bun:test";
import { createUserWithPassword } from "../../src/auth/index.ts";
import {
  ADMIN_PASSWORD,
  type AuthHarness,
  buildAuthHarness,
  errorOf,
  type TokenPairBody,
} from "../auth/support/authApp.ts";
import { describeEachDatabase } from "../support/databases.ts";
import { expectInvalidToken } from "./support/bearerChallenge.ts";

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
      // Long enough, but only whitespace: the first guess after the empty password.
      const blank = await h.post(
        "/v1/auth/password",
        { current_password: ADMIN_PASSWORD, new_password: " \t".repeat(6) },
        { token: pair.access_token },
      );
      expect(blank.status).toBe(400);
      expect((await errorOf(blank)).details).toEqual([
        { path: "json.new_password", message: "must not be only whitespace" },
      ]);
      const invisible = await h.post(
        "/v1/auth/password",
        { current_password: ADMIN_PASSWORD, new_password: "\u200b\u2800\u3164\u00a0".repeat(3) },
        { token: pair.access_token },
      );
      expect(invisible.status).toBe(400);
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
  },
  { fresh: "test" },
);
