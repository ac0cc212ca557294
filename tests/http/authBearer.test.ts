/**
 * Bearer tokens on requests, on SQLite and PostgreSQL: parsing and
 * WWW-Authenticate, local verification that never rejects by itself, the
 * maintenance gate before any session check, expiry, forged or mangled
 * claims, token-version bumps, and key rotation.
 */
import { beforeEach, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { keyId } from "../../src/auth/index.ts";
import {
  ADMIN_PASSWORD,
  type AuthHarness,
  buildAuthHarness,
  errorOf,
  SECRET,
  type TokenPairBody,
} from "../auth/support/authApp.ts";
import { describeEachDatabase } from "../support/databases.ts";
import { expectInvalidToken, REALM } from "./support/bearerChallenge.ts";

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

    test("a validly signed token with U+0000 or a lone surrogate in an id is refused before any lookup", async () => {
      const claims = JSON.parse(
        Buffer.from(pair.access_token.split(".")[1] as string, "base64url").toString(),
      );
      const header = Buffer.from(
        JSON.stringify({ alg: "HS256", typ: "JWT", kid: keyId(SECRET) }),
      ).toString("base64url");
      for (const [field, bad] of ["sid", "sub", "jti"].flatMap((f) => [
        [f, "\u0000"],
        [f, "\ud800"],
      ])) {
        const payload = { ...claims, [field as string]: `${claims[field as string]}${bad}` };
        const input = `${header}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
        const forged = `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
        await expectInvalidToken(await me(forged));
      }
    });

    test("a token minted before a token-version bump is refused even if its session lives", async () => {
      const user = await h.auth.users.findByUsername("admin");
      await t.db()
        .sql`UPDATE users SET token_version = token_version + 1 WHERE id = ${user?.id as string}`;
      await expectInvalidToken(await me(pair.access_token));
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
