/**
 * The live-session cap (MAX_LIVE_SESSIONS in src/auth/service.ts) on SQLite
 * and PostgreSQL: which sessions a login beyond it ends, and that logins of
 * one user racing each other cannot leave more than the cap live.
 */
import { beforeEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import {
  ADMIN_PASSWORD,
  type AuthHarness,
  buildAuthHarness,
  type TokenPairBody,
} from "../auth/support/authApp.ts";
import { describeEachDatabase } from "../support/databases.ts";
import { holdTableLock } from "../support/heldLock.ts";
import { lockWaits } from "../support/lockWaits.ts";
import { expectInvalidToken } from "./support/bearerChallenge.ts";

describeEachDatabase(
  "the live-session cap",
  (t) => {
    let h: AuthHarness;
    let pair: TokenPairBody;
    beforeEach(async () => {
      h = await buildAuthHarness(t.db());
      pair = await h.login("admin", ADMIN_PASSWORD);
    });

    const me = (token: string) => h.send("/v1/auth/me", { token });
    const refresh = (token: unknown) => h.post("/v1/auth/refresh", { refresh_token: token });
    /** A second instance on the same database, capped at two live sessions per user. */
    const cappedAt = async (clock: ManualClock) =>
      buildAuthHarness(await t.openAnother(), { clock, bootstrap: false, maxLiveSessions: 2 });

    test("a login beyond the live-session cap ends the user's oldest session, and says so", async () => {
      const capped = await cappedAt(h.clock);
      // `pair` (from beforeEach) is the oldest live session; two more logins push it out.
      h.clock.advance(1);
      const second = await capped.login("admin", ADMIN_PASSWORD);
      h.clock.advance(1);
      const third = await capped.login("admin", ADMIN_PASSWORD);
      await expectInvalidToken(await me(pair.access_token));
      expect((await refresh(pair.refresh_token)).status).toBe(400);
      for (const live of [second, third]) {
        expect((await me(live.access_token)).status).toBe(200);
      }
      const logins = capped.events.filter((e) => e.type === "authn_login_success");
      expect(logins.map((e) => e.details?.sessions_ended)).toEqual([undefined, 1]);
    });

    test("the cap keeps the session in use and the one just started, whatever the clocks", async () => {
      const capped = await cappedAt(h.clock);
      h.clock.advance(1);
      const script = await capped.login("admin", ADMIN_PASSWORD);
      h.clock.advance(1);
      // `pair` started first but is in use: its refresh makes it the one to keep.
      const refreshed = (await (await refresh(pair.refresh_token)).json()) as TokenPairBody;
      h.clock.advance(1);
      const newest = await capped.login("admin", ADMIN_PASSWORD);
      await expectInvalidToken(await me(script.access_token));
      expect((await me(refreshed.access_token)).status).toBe(200);
      expect((await me(newest.access_token)).status).toBe(200);
      // An instance whose clock is behind still keeps the session it just started.
      const behind = await cappedAt(new ManualClock(h.clock.now() - 5_000));
      const late = await behind.login("admin", ADMIN_PASSWORD);
      expect((await behind.send("/v1/auth/me", { token: late.access_token })).status).toBe(200);
    });

    // SQLite: a login's transaction holds the writer lock from its first statement, so
    // logins cannot interleave there.
    test.skipIf(t.backend !== "postgres")(
      "two logins of one user at once leave no more than the cap live",
      async () => {
        const capped = await cappedAt(h.clock);
        h.clock.advance(1);
        await capped.login("admin", ADMIN_PASSWORD);
        // A third connection holds the audit chain head, where every login ends: both logins
        // run as far as they can before it is released, as they would behind a slow append.
        const head = await holdTableLock(await t.openAnother(), "audit_chain_head");
        h.clock.advance(1);
        const logins = Promise.all([
          capped.login("admin", ADMIN_PASSWORD),
          capped.login("admin", ADMIN_PASSWORD),
        ]);
        expect(await lockWaits(await t.openAnother(), 2)).toBe(2);
        head.release();
        await head.done;
        await logins;
        const live = await t.db().sql<{ n: number }>`
          SELECT COUNT(*)::int AS n FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE u.username = 'admin' AND s.revoked_at IS NULL`;
        expect(Number(live[0]?.n)).toBe(2);
      },
    );
  },
  { fresh: "test" },
);
