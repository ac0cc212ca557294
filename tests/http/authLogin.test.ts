/**
 * POST /v1/auth/login budgets over the assembled app on SQLite and PostgreSQL:
 * the per-account lockout and per-IP throttle charged before hashing (also
 * under concurrency and across two instances sharing a store), their audit,
 * refunds, and the hash capacity limit. Credentials and bodies are in
 * authLoginCredentials.test.ts.
 */
import { beforeEach, expect, test } from "bun:test";
import { StoreUnavailableError } from "../../src/ratelimit/errors.ts";
import {
  ADMIN_PASSWORD,
  type AuthHarness,
  buildAuthHarness,
  errorOf,
} from "../auth/support/authApp.ts";
import { describeEachDatabase } from "../support/databases.ts";

describeEachDatabase(
  "login",
  (t) => {
    let h: AuthHarness;
    beforeEach(async () => {
      h = await buildAuthHarness(t.db());
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

    test("an address out of attempts learns nothing of the accounts it names", async () => {
      for (let i = 0; i < 2; i++) {
        await h.post(
          "/v1/auth/login",
          { username: "admin", password: `bad-${i}` },
          { ip: "10.7.7.1" },
        );
      }
      for (let i = 0; i < 18; i++) {
        await h.post(
          "/v1/auth/login",
          { username: `nobody${i}`, password: "x" },
          { ip: "10.7.7.2" },
        );
      }
      await h.post("/v1/auth/login", { username: "someone", password: "x" }, { ip: "10.7.7.2" });
      await h.post("/v1/auth/login", { username: "someone2", password: "x" }, { ip: "10.7.7.2" });
      const refusal = async (username: string) => {
        const res = await h.post("/v1/auth/login", { username, password: "x" }, { ip: "10.7.7.2" });
        expect(res.status).toBe(429);
        return res.headers.get("ratelimit")?.replace(/^"ip";r=\d+;t=\d+, /, "");
      };
      // An account with two failures and a name never tried answer alike.
      const used = await refusal("admin");
      expect(used).toMatch(/^"login-ip";r=0;t=\d+$/);
      expect(await refusal("never-tried")).toBe(used);
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
      // The headers name the budget that ran out, after the route's own limit (still open).
      expect(locked.headers.get("ratelimit-policy")).toBe(
        '"ip";q=100000;w=60, "login-account";q=5;w=900, "login-ip";q=20;w=900',
      );
      // RateLimit lists only the budget that refused: the address's own is nobody's business here.
      expect(locked.headers.get("ratelimit")).toMatch(
        /^"ip";r=\d+;t=\d+, "login-account";r=0;t=[1-9]\d*$/,
      );
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

    test("a right password whose reset the store refuses is a 503, never a guess toward lockout", async () => {
      const reset = h.store.reset;
      h.store.reset = async () => {
        throw new StoreUnavailableError("command_error"); // an ACL without DEL, say
      };
      try {
        for (let i = 0; i < 6; i++) {
          const res = await h.post("/v1/auth/login", {
            username: "admin",
            password: ADMIN_PASSWORD,
          });
          expect(res.status).toBe(503);
        }
      } finally {
        h.store.reset = reset;
      }
      const right = await h.post("/v1/auth/login", { username: "admin", password: ADMIN_PASSWORD });
      expect(right.status).toBe(200);
    });
  },
  { fresh: "test" },
);
