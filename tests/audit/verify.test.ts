import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AuditLog, createAuditLog, hashRecord } from "../../src/audit/index.ts";
import { runAuditVerify } from "../../src/cli/audit.ts";
import { ManualClock } from "../../src/clock/index.ts";
import { captureIo } from "../support/captureIo.ts";
import { describeEachDatabase } from "../support/databases.ts";
import { countEventLoopTurns } from "../support/eventLoopTurns.ts";
import { holdTableLock } from "../support/heldLock.ts";
import { disableAppendOnly } from "./tamper.ts";

describeEachDatabase(
  "audit verify",
  (t) => {
    let audit: AuditLog;
    /** Seven events, verified in pages of two so tampering lands mid-stream. */
    const seed = async () => {
      const clock = new ManualClock(1_750_000_000_000);
      audit = createAuditLog(t.db(), { clock, verifyPageSize: 2 });
      for (let i = 1; i <= 7; i++) {
        await audit.append({
          type: "authn_login_success",
          outcome: "success",
          actor: `u${i}`,
          details: { i },
        });
        clock.advance(1000);
      }
      expect(await audit.verify()).toEqual({ ok: true, checked: 7 });
      await disableAppendOnly(t.db());
    };

    /** Inserts a well-formed row at `seq`, chained to the stored hash of `prevSeq`. */
    const forgeRow = async (seq: number, prevSeq: number) => {
      const [prev] = await t.db().sql<{
        hash: string;
      }>`SELECT hash FROM audit_events WHERE seq = ${prevSeq}`;
      const record = {
        seq,
        at: 1,
        type: "user_created",
        actor: "mallory",
        target: null,
        outcome: "success",
        ip: null,
        user_agent: null,
        request_id: null,
        details: {},
        prev_hash: prev?.hash as string,
      };
      await t.db().sql`INSERT INTO audit_events
        (seq, at, type, actor, target, outcome, ip, user_agent, request_id, details, prev_hash, hash)
        VALUES (${seq}, 1, 'user_created', 'mallory', NULL, 'success', NULL, NULL, NULL, '{}',
                ${record.prev_hash}, ${hashRecord(record)})`;
    };

    test("a verification yields between pages, and concurrent callers share one run", async () => {
      await seed(); // seven events in pages of two: four pages
      const loop = countEventLoopTurns();
      const first = audit.verify();
      expect(audit.verify()).toBe(first);
      expect(await first).toEqual({ ok: true, checked: 7 });
      const turns = loop.stop();
      // The event loop turned between pages (three page breaks), not only after the run.
      expect(turns).toBeGreaterThanOrEqual(3);
      // Over: the next call is a new run.
      const second = audit.verify();
      expect(second).not.toBe(first);
      await second;
    });

    test("an edited row: hash_mismatch at that seq", async () => {
      await seed();
      await t.db().sql`UPDATE audit_events SET actor = 'mallory' WHERE seq = 5`;
      expect(await audit.verify()).toEqual({
        ok: false,
        checked: 4,
        first_bad_seq: 5,
        reason: "hash_mismatch",
      });
    });

    test("an edited timestamp or details: hash_mismatch", async () => {
      await seed();
      await t.db().sql`UPDATE audit_events SET details = '{"i":99}' WHERE seq = 2`;
      expect(await audit.verify()).toMatchObject({
        ok: false,
        first_bad_seq: 2,
        reason: "hash_mismatch",
      });
    });

    test("a deleted row: seq_gap naming the missing seq", async () => {
      await seed();
      await t.db().sql`DELETE FROM audit_events WHERE seq = 3`;
      expect(await audit.verify()).toEqual({
        ok: false,
        checked: 2,
        first_bad_seq: 3,
        reason: "seq_gap",
      });
    });

    test("deleted newest rows: truncated", async () => {
      await seed();
      await t.db().sql`DELETE FROM audit_events WHERE seq >= 6`;
      expect(await audit.verify()).toEqual({
        ok: false,
        checked: 5,
        first_bad_seq: 6,
        reason: "truncated",
      });
    });

    test("a re-hashed edit: chain_break at the next row", async () => {
      await seed();
      const [row] = await t.db().sql<{
        at: number;
        type: string;
        outcome: string;
        details: string;
        prev_hash: string;
      }>`SELECT at, type, outcome, details, prev_hash FROM audit_events WHERE seq = 4`;
      if (!row) throw new Error("seeded row missing");
      const hash = hashRecord({
        seq: 4,
        at: row.at,
        type: row.type,
        actor: "mallory",
        target: null,
        outcome: row.outcome,
        ip: null,
        user_agent: null,
        request_id: null,
        details: JSON.parse(row.details),
        prev_hash: row.prev_hash,
      });
      await t.db().sql`UPDATE audit_events SET actor = 'mallory', hash = ${hash} WHERE seq = 4`;
      expect(await audit.verify()).toEqual({
        ok: false,
        checked: 4,
        first_bad_seq: 5,
        reason: "chain_break",
      });
    });

    test("reordered rows: detected at the first moved seq", async () => {
      await seed();
      await t.db().sql`UPDATE audit_events SET seq = -1 WHERE seq = 3`;
      await t.db().sql`UPDATE audit_events SET seq = 3 WHERE seq = 4`;
      await t.db().sql`UPDATE audit_events SET seq = 4 WHERE seq = -1`;
      expect(await audit.verify()).toEqual({
        ok: false,
        checked: 2,
        first_bad_seq: 3,
        reason: "hash_mismatch",
      });
    });

    test("a row inserted in the middle (later rows shifted): detected where it starts", async () => {
      await seed();
      // Shift seq 4..7 up by one (descending to keep the key unique), then forge seq 4.
      for (const seq of [7, 6, 5, 4]) {
        await t.db().sql`UPDATE audit_events SET seq = ${seq + 1} WHERE seq = ${seq}`;
      }
      await forgeRow(4, 3);
      expect(await audit.verify()).toEqual({
        ok: false,
        checked: 4,
        first_bad_seq: 5,
        reason: "hash_mismatch",
      });
    });

    test("a well-formed row appended behind the log's back: head_mismatch", async () => {
      await seed();
      await forgeRow(8, 7);
      expect(await audit.verify()).toEqual({
        ok: false,
        checked: 7,
        first_bad_seq: 8,
        reason: "head_mismatch",
      });
    });

    test.each([0, -1, -7])(
      "a row inserted below seq 1 (%p), which the scan from 1 would skip: chain_break there",
      async (seq) => {
        await seed();
        await forgeRow(seq, 3);
        expect(await audit.verify()).toEqual({
          ok: false,
          checked: 0,
          first_bad_seq: seq,
          reason: "chain_break",
        });
      },
    );

    test("the head edited, every row intact: head_mismatch past the last row", async () => {
      await seed();
      await t.db().sql`UPDATE audit_chain_head SET hash = ${"0".repeat(64)} WHERE id = 1`;
      expect(await audit.verify()).toEqual({
        ok: false,
        checked: 7,
        first_bad_seq: 8,
        reason: "head_mismatch",
      });
    });

    test.each([
      ['{"i": 5}', "spacing"],
      ['{"\\u0069":5}', "an escape"],
      ['{"i":9,"i":5}', "a duplicated key SQLite's json_extract reads as 9"],
    ])("details re-spelled as %p (%s), same object for JSON.parse: hash_mismatch", async (text) => {
      await seed();
      await t.db().sql`UPDATE audit_events SET details = ${text} WHERE seq = 5`;
      expect(await audit.verify()).toEqual({
        ok: false,
        checked: 4,
        first_bad_seq: 5,
        reason: "hash_mismatch",
      });
    });

    test("details that are not a JSON object: malformed_row", async () => {
      await seed();
      await t.db().sql`UPDATE audit_events SET details = 'not json' WHERE seq = 6`;
      expect(await audit.verify()).toEqual({
        ok: false,
        checked: 5,
        first_bad_seq: 6,
        reason: "malformed_row",
      });
    });

    test("audit verify command: exit 0 with the route's JSON, exit 1 once tampered", async () => {
      await seed();
      const ok = captureIo();
      expect(await runAuditVerify({ DATABASE_URL: t.url() }, ok.io)).toBe(0);
      expect(JSON.parse(ok.stdout())).toEqual({ ok: true, checked: 7 });
      await t.db().sql`DELETE FROM audit_events WHERE seq = 2`;
      const bad = captureIo();
      expect(await runAuditVerify({ DATABASE_URL: t.url() }, bad.io)).toBe(1);
      expect(JSON.parse(bad.stdout())).toEqual({
        ok: false,
        checked: 1,
        first_bad_seq: 2,
        reason: "seq_gap",
      });
    });

    test("audit verify fails in bounded time when the database stalls mid-run", async () => {
      if (t.backend !== "postgres") return; // SQLite readers in WAL never wait for a writer
      await seed();
      const lock = await holdTableLock(await t.openAnother(), "audit_events");
      const io = captureIo();
      const started = performance.now();
      const code = runAuditVerify({ DATABASE_URL: t.url() }, io.io, 200);
      // The lock outlives the deadline; it is let go only so the pool can close its connection.
      setTimeout(lock.release, 600);
      expect(await code).toBe(1);
      await lock.done;
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(io.stdout()).toBe("");
      expect(io.stderr()).toContain("did not answer within 200 ms");
    });

    test("audit verify on a missing SQLite file: exit 1, and nothing is created", async () => {
      const dir = join(tmpdir(), `ts-missing-${crypto.randomUUID()}`);
      const io = captureIo();
      const code = await runAuditVerify({ DATABASE_URL: `sqlite://${dir}/x.db` }, io.io);
      expect(code).toBe(1);
      expect(io.stderr()).toContain("no SQLite database at");
      expect(existsSync(dir)).toBe(false);
    });

    test("instances appending at once share one gapless chain", async () => {
      const fixture = join(import.meta.dir, "fixtures", "appendMany.ts");
      const children = ["a", "b", "c"].map((name) =>
        Bun.spawn([process.execPath, fixture, t.url(), name, "15"], {
          stdout: "pipe",
          stderr: "pipe",
        }),
      );
      for (const child of children) {
        const code = await child.exited;
        if (code !== 0)
          throw new Error(`instance failed: ${await new Response(child.stderr).text()}`);
      }
      const audit = createAuditLog(t.db());
      expect(await audit.verify()).toEqual({ ok: true, checked: 45 });
      const page = await audit.query({ limit: 100 });
      expect(new Set(page.events.map((e) => e.actor))).toEqual(new Set(["a", "b", "c"]));
    });
  },
  { fresh: "test" },
);
