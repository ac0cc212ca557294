/**
 * A chain head edited to a seq the log never writes (text or a fraction on
 * SQLite, negative, at or beyond the top of the range), and a row planted
 * while an append is between its read and its insert: appends go on, never
 * loop, and verify says what happened. Found by a concurrency probe of the
 * first-free-seq append.
 */
import { expect, test } from "bun:test";
import { type AuditLog, createAuditLog, type ForeignRows } from "../../src/audit/index.ts";
import { ManualClock } from "../../src/clock/index.ts";
import { describeEachDatabase } from "../support/databases.ts";
import { lockWaits } from "../support/lockWaits.ts";
import { disableAppendOnly, plant } from "./tamper.ts";

const MAX = Number.MAX_SAFE_INTEGER;

describeEachDatabase(
  "a tampered audit chain head",
  (t) => {
    let audit: AuditLog;
    let found: ForeignRows[];
    const append = (i: number) =>
      audit.append({ type: "authn_login_success", outcome: "success", actor: `u${i}` });
    /** Three events, then the head's seq set to `seq` (SQL text, so any value goes in). */
    const seedWithHead = async (seq: string) => {
      found = [];
      audit = createAuditLog(t.db(), {
        clock: new ManualClock(1_750_000_000_000),
        onForeignRows: (f) => found.push(f),
      });
      for (let i = 1; i <= 3; i++) await append(i);
      await t.db().unsafe(`UPDATE audit_chain_head SET seq = ${seq} WHERE id = 1`);
    };

    const heads = ["-12", String(MAX), "2305843009213693952", "4611686018427387904"];
    // BIGINT holds none of these; Number() read '0x10' as 16 and '' as 0.
    const sqliteOnly = ["'abc'", "7.5", "'0x10'", "''"];
    for (const seq of [...heads, ...sqliteOnly]) {
      const skip = t.backend === "postgres" && sqliteOnly.includes(seq);
      test.skipIf(skip)(
        `head seq ${seq}: verify names it; the next append follows the last row and heals it`,
        async () => {
          await seedWithHead(seq);
          // No seq the log writes (head_mismatch), or 2^53 - 1: more rows than exist (truncated).
          expect(await audit.verify()).toEqual({
            ok: false,
            checked: 3,
            first_bad_seq: 4,
            reason: seq === String(MAX) ? "truncated" : "head_mismatch",
          });
          expect((await append(4)).seq).toBe(4);
          expect(found).toEqual([{ headSeq: null, seq: 4 }]);
          expect(await audit.verify()).toEqual({ ok: true, checked: 4 });
        },
      );
    }

    test("a head one below the top: one append takes the top seq, the next starts over", async () => {
      await seedWithHead(String(MAX - 1));
      expect((await append(4)).seq).toBe(MAX);
      expect((await append(5)).seq).toBe(4);
      expect(await audit.verify()).toMatchObject({ ok: false, first_bad_seq: 4 });
    });

    // SQLite: planting needs the write lock the append holds, so there is no such window.
    test.skipIf(t.backend !== "postgres")(
      "a row planted while an append waits to insert: the append takes the next seq",
      async () => {
        await seedWithHead("3");
        const other = await t.openAnother();
        let release = () => {};
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let planted = () => {};
        const inserted = new Promise<void>((resolve) => {
          planted = resolve;
        });
        // A planter's transaction holds seq 4, uncommitted, while the append reads and inserts.
        const planter = other.transaction(async (tx) => {
          await plant(tx, 4);
          planted();
          await held;
        });
        await inserted;
        const appended = append(4);
        // Wait until the append has read seq 4 as free and its insert waits on the planter's
        // row lock: the window the retry exists for, seen by PostgreSQL itself (bounded).
        const waiting = await lockWaits(await t.openAnother());
        expect(waiting).toBeGreaterThan(0);
        release();
        await planter;
        expect((await appended).seq).toBe(5);
        expect(found).toEqual([{ headSeq: 3, seq: 5 }]);
      },
    );

    test.skipIf(t.backend !== "sqlite")(
      "a NULL seq (SQLite allows one in this key) is a row beyond the head",
      async () => {
        await seedWithHead("3");
        await disableAppendOnly(t.db());
        await plant(t.db(), null);
        expect(await audit.verify()).toEqual({
          ok: false,
          checked: 3,
          first_bad_seq: 4,
          reason: "head_mismatch",
        });
      },
    );

    test("a row below -(2^53 - 1), planted with the guard dropped: verify and the list still answer", async () => {
      await seedWithHead("3");
      await disableAppendOnly(t.db());
      await plant(t.db(), -9223372036854775807n);
      expect(await audit.verify()).toMatchObject({
        ok: false,
        reason: "chain_break",
        first_bad_seq: -MAX,
      });
      expect((await audit.query({ limit: 10 })).events.map((e) => e.seq)).toEqual([3, 2, 1]);
    });
  },
  { fresh: "test" },
);
