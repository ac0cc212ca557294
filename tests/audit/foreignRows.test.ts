/**
 * Rows the log did not write, added with the server's own rights (INSERT is
 * allowed; the append-only triggers stay on): the log keeps appending after
 * them and says so, logins and revoke-all keep working, and verify points at
 * the foreign row. Before, a row at the next seq failed every audited action,
 * revoke-all included, on every instance, and stopped start-up.
 */
import { expect, test } from "bun:test";
import { type AuditLog, createAuditLog, type ForeignRows } from "../../src/audit/index.ts";
import { runRevokeAll } from "../../src/cli/revokeAll.ts";
import { ManualClock } from "../../src/clock/index.ts";
import type { Database } from "../../src/storage/index.ts";
import { ADMIN_PASSWORD, buildAuthHarness } from "../auth/support/authApp.ts";
import { captureIo } from "../support/captureIo.ts";
import { describeEachDatabase } from "../support/databases.ts";

/** A row at `seq` that no append wrote: a plausible type, a made-up hash. */
const plant = (db: Database, seq: number) =>
  db.sql`INSERT INTO audit_events
    (seq, at, type, actor, target, outcome, ip, user_agent, request_id, details, prev_hash, hash)
    VALUES (${seq}, 1, 'user_created', 'mallory', NULL, 'success', NULL, NULL, NULL, '{}',
            ${"a".repeat(64)}, ${"b".repeat(64)})`;

describeEachDatabase(
  "audit rows written outside the log",
  (t) => {
    let audit: AuditLog;
    let found: ForeignRows[];
    const append = (i: number) =>
      audit.append({ type: "authn_login_success", outcome: "success", actor: `u${i}` });
    const seed = async () => {
      found = [];
      audit = createAuditLog(t.db(), {
        clock: new ManualClock(1_750_000_000_000),
        onForeignRows: (f) => found.push(f),
      });
      for (let i = 1; i <= 3; i++) await append(i);
    };

    test("a row at the next seq: the next event goes after it, once told; verify names the row", async () => {
      await seed();
      await plant(t.db(), 4);
      expect((await append(4)).seq).toBe(5);
      expect((await append(5)).seq).toBe(6);
      expect(found).toEqual([{ headSeq: 3, topSeq: 4 }]);
      expect(await audit.verify()).toMatchObject({ ok: false, checked: 3, first_bad_seq: 4 });
    });

    test("a row far ahead: the log continues past it; verify stops at the first missing seq", async () => {
      await seed();
      await plant(t.db(), 40);
      expect((await append(4)).seq).toBe(41);
      expect(found).toEqual([{ headSeq: 3, topSeq: 40 }]);
      expect(await audit.verify()).toMatchObject({ ok: false, checked: 3, first_bad_seq: 4 });
    });

    test("a head moved back: appends continue after the last row, and the chain is whole again", async () => {
      await seed();
      await t.db().sql`UPDATE audit_chain_head SET seq = seq - 1 WHERE id = 1`;
      expect((await append(4)).seq).toBe(4);
      expect(found).toEqual([{ headSeq: 2, topSeq: 3 }]);
      expect(await audit.verify()).toEqual({ ok: true, checked: 4 });
    });

    test("with a row planted at the next seq, login and revoke-all (route and CLI) still work", async () => {
      const h = await buildAuthHarness(t.db());
      const [head] = await t.db().sql<{ seq: number }>`SELECT seq FROM audit_chain_head`;
      await plant(t.db(), Number(head?.seq) + 1);
      const admin = await h.login("admin", ADMIN_PASSWORD);
      const revoked = await h.send("/v1/admin/revoke-all", {
        method: "POST",
        token: admin.access_token,
      });
      expect(revoked.status).toBe(204);
      expect((await h.send("/v1/auth/me", { token: admin.access_token })).status).toBe(401);

      const again = await buildAuthHarness(t.db(), { bootstrap: false });
      const [now] = await t.db().sql<{ seq: number }>`SELECT seq FROM audit_chain_head`;
      await plant(t.db(), Number(now?.seq) + 1);
      const io = captureIo();
      expect(
        await runRevokeAll({ DATABASE_URL: t.url() }, io.io, async () => again.clock.now()),
      ).toBe(0);
      expect(io.stderr()).toContain("that the server did not write");
    });
  },
  { fresh: "test" },
);
