/**
 * Refresh tokens on SQLite and PostgreSQL: rotation, one indistinguishable
 * failure, replay within and after the grace (reuse detection revokes the
 * session, audited once), and concurrent refreshes through one or two
 * instances minting at most one pair.
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
import { expectInvalidToken } from "./support/bearerChallenge.ts";

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

    test("a refresh whose user is found disabled after the rotation rolls back: no token spent without its event", async () => {
      // A disable landing between the rotation's read and the user's: seen as disabled here.
      const findById = h.auth.users.findById.bind(h.auth.users);
      h.auth.users.findById = async (id) => {
        const user = await findById(id);
        return user && { ...user, disabled: true };
      };
      const refused = await refresh(pair.refresh_token);
      h.auth.users.findById = findById;
      expect(refused.status).toBe(400);
      expect(h.events.some((e) => e.type === "authn_token_refresh")).toBe(false);
      const [row] = await t.db().sql<{ n: number }>`
        SELECT COUNT(*) AS n FROM refresh_tokens WHERE spent_at IS NOT NULL`;
      expect(Number(row?.n)).toBe(0);
      expect((await refresh(pair.refresh_token)).status).toBe(200);
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

    test("replay within the grace: invalid_grant, session survives, and the first is on record", async () => {
      const next = (await (await refresh(pair.refresh_token)).json()) as TokenPairBody;
      h.clock.advance(10_000);
      expect((await refresh(pair.refresh_token)).status).toBe(400);
      expect((await me(next.access_token)).status).toBe(200);
      // A thief who refreshed first leaves this refused replay, the victim's, as the trace.
      const replays = () => h.events.filter((e) => e.type === "authn_token_reuse");
      expect(replays()).toEqual([
        expect.objectContaining({
          outcome: "failure",
          target: expect.any(String),
          details: { action: "refused_within_grace" },
        }),
      ]);
      // More replays in the window (racing tabs, a flood) add no row.
      const burst = await Promise.all(Array.from({ length: 5 }, () => refresh(pair.refresh_token)));
      expect(burst.every((r) => r.status === 400)).toBe(true);
      expect(replays()).toHaveLength(1);
      expect((await refresh(next.refresh_token)).status).toBe(200);
      expect(replays()).toHaveLength(1);
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
  },
  { fresh: "test" },
);
