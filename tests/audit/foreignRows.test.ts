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
import { ADMIN_PASSWORD, buildAuthHarness } from "../auth/support/authApp.ts";
import { captureIo } from "../support/captureIo.ts";
import { describeEachDatabase } from "../support/databases.ts";
import { disableAppendOnly, plant } from "./tamper.ts";

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

    test("a row at the next seq: the event takes the next free one, told once it committed", async () => {
      await seed();
      await plant(t.db(), 4);
      expect((await append(4)).seq).toBe(5);
      expect((await append(5)).seq).toBe(6);
      expect(found).toEqual([{ headSeq: 3, seq: 5 }]);
      expect(await audit.verify()).toMatchObject({ ok: false, checked: 3, first_bad_seq: 4 });
    });

    test("a row further ahead: the log fills the seqs before it and steps over it", async () => {
      await seed();
      await plant(t.db(), 6);
      expect([(await append(4)).seq, (await append(5)).seq, (await append(6)).seq]).toEqual([
        4, 5, 7,
      ]);
      expect(found).toEqual([{ headSeq: 5, seq: 7 }]);
      expect(await audit.verify()).toMatchObject({ ok: false, checked: 5, first_bad_seq: 6 });
    });

    test("more planted rows in a row than one read covers: still the first free seq", async () => {
      await seed();
      for (let seq = 4; seq < 4 + 300; seq++) await plant(t.db(), seq);
      expect((await append(4)).seq).toBe(304);
    });

    test("a head moved back: appends continue after the last row, and the chain is whole again", async () => {
      await seed();
      await t.db().sql`UPDATE audit_chain_head SET seq = seq - 1 WHERE id = 1`;
      expect((await append(4)).seq).toBe(4);
      expect(found).toEqual([{ headSeq: 2, seq: 4 }]);
      expect(await audit.verify()).toEqual({ ok: true, checked: 4 });
    });

    test("a seq no JavaScript number holds, or no integer: refused by the database", async () => {
      await seed();
      const hostile: (number | string | bigint)[] = [0, -5, 2 ** 53, 9223372036854775807n];
      if (t.backend === "sqlite") hostile.push("zzz", 4.5);
      for (const seq of hostile) {
        const error = await plant(t.db(), seq).catch((e: unknown) => e);
        // Refused by migration 006's guard (PostgreSQL's CHECK, SQLite's trigger), not by chance.
        const message = error instanceof Error ? error.message : "";
        expect([String(seq), /audit_events_seq_range|from 1 to 2\^53 - 1/.test(message)]).toEqual([
          String(seq),
          true,
        ]);
      }
      expect((await append(4)).seq).toBe(4);
    });

    test("and with that guard dropped (DDL rights), such rows still cannot stop the log", async () => {
      await seed();
      await disableAppendOnly(t.db());
      const hostile: (number | string | bigint)[] = [2 ** 53 - 1, 9223372036854775807n];
      if (t.backend === "sqlite") hostile.push("zzz", 4.5);
      for (const seq of hostile) await plant(t.db(), seq);
      expect([(await append(4)).seq, (await append(5)).seq]).toEqual([4, 5]);
      expect(found).toEqual([]);
      // And verify reports them rather than failing to read them: on SQLite at the 4.5 row
      // (between 4 and 5), on PostgreSQL at 2^53 - 1, the first seq after 5 present.
      expect(await audit.verify()).toMatchObject({
        ok: false,
        first_bad_seq: t.backend === "sqlite" ? 5 : 6,
        reason: "seq_gap",
      });
      // A seq only beyond 2^53 - 1 is a row beyond the head.
      await t.db()
        .sql`DELETE FROM audit_events WHERE actor = 'mallory' AND seq <> ${9223372036854775807n}`;
      expect(await audit.verify()).toEqual({
        ok: false,
        checked: 5,
        first_bad_seq: 6,
        reason: "head_mismatch",
      });
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
      expect(io.stderr()).toContain("rows past its chain head");
    });
  },
  { fresh: "test" },
);
