/**
 * Ended sessions are deleted a week after they ended, with their refresh
 * tokens; live ones and recently ended ones stay. On SQLite and PostgreSQL.
 */
import { expect, test } from "bun:test";
import { createRefreshTokens } from "../../src/auth/refreshTokens.ts";
import {
  pruneEndedSessions,
  SESSION_RETENTION_MS,
  startSessionPruning,
} from "../../src/auth/sessionPruning.ts";
import { createSessionStore } from "../../src/auth/sessions.ts";
import { createUserStore } from "../../src/auth/users.ts";
import { ManualClock } from "../../src/clock/index.ts";
import type { Logger } from "../../src/telemetry/logger.ts";
import { describeEachDatabase } from "../support/databases.ts";
import { countEventLoopTurns } from "../support/eventLoopTurns.ts";
import { holdLocks } from "../support/heldLock.ts";

const HOUR = 60 * 60_000;
const T0 = 1_800_000_000_000;
const lifetimes = { idleMs: 12 * HOUR, absoluteMs: 24 * HOUR };

describeEachDatabase(
  "session pruning",
  (t) => {
    const setUp = async () => {
      const db = t.db();
      const user = await createUserStore(db).create(
        { username: `u${crypto.randomUUID()}`, passwordHash: "x", role: "viewer" },
        T0,
      );
      const sessions = createSessionStore(db, lifetimes);
      const refresh = createRefreshTokens(db, sessions, 10_000);
      const open = async (at: number) => {
        const id = await sessions.create(user.id, { ip: "192.0.2.1" }, at);
        await refresh.issue(id, at);
        await refresh.issue(id, at);
        return id;
      };
      const ids = async () =>
        (await db.sql<{ id: string }>`SELECT id FROM sessions ORDER BY id`).map((r) => r.id).sort();
      const tokenCount = async () =>
        (await db.sql<{ n: number }>`SELECT COUNT(*) AS n FROM refresh_tokens`)[0]?.n;
      return { db, sessions, open, ids, tokenCount };
    };

    test("only sessions that ended more than the retention ago go, tokens with them", async () => {
      const { db, sessions, open, ids, tokenCount } = await setUp();
      const now = T0 + 30 * 24 * HOUR;
      const week = SESSION_RETENTION_MS;
      const day = 24 * HOUR;
      // Each old one ended more than a week ago in exactly one way, so each clause is needed:
      // revoked 7¼ days ago, used an hour before that, within its absolute lifetime;
      const revokedOld = await open(now - week - 0.9 * day);
      await sessions.revoke(revokedOld, "logout", now - week - 6 * HOUR);
      await db.sql`UPDATE sessions SET last_used_at = ${now - week - 7 * HOUR} WHERE id = ${revokedOld}`;
      // idle since 7½ days and 2 hours, within its absolute lifetime;
      const idleOld = await open(now - week - lifetimes.idleMs - 2 * HOUR);
      // past its absolute lifetime 7 days and 2 hours ago, used an hour before that.
      const absoluteOld = await open(now - week - lifetimes.absoluteMs - 2 * HOUR);
      await db.sql`UPDATE sessions SET last_used_at = ${now - week - 3 * HOUR} WHERE id = ${absoluteOld}`;
      // Kept: live; revoked yesterday; idle-expired yesterday; absolute-expired yesterday.
      const live = await open(now - HOUR);
      const revokedRecent = await open(now - 2 * day);
      await sessions.revoke(revokedRecent, "logout", now - day);
      const idleRecent = await open(now - lifetimes.idleMs - day);
      const absoluteRecent = await open(now - lifetimes.absoluteMs - day);
      await db.sql`UPDATE sessions SET last_used_at = ${now - 2 * HOUR} WHERE id = ${absoluteRecent}`;
      expect(await tokenCount()).toBe(14);

      expect(await pruneEndedSessions(sessions, now)).toEqual({ sessions: 3, refreshTokens: 6 });
      expect(await ids()).toEqual([live, revokedRecent, idleRecent, absoluteRecent].sort());
      expect(await tokenCount()).toBe(8);
      for (const gone of [revokedOld, idleOld, absoluteOld])
        expect(await ids()).not.toContain(gone);
      // Idempotent: a second run (another instance) deletes nothing more.
      expect(await pruneEndedSessions(sessions, now)).toEqual({ sessions: 0, refreshTokens: 0 });
    });

    // SQLite serializes writers: no other transaction holds a row there.
    test.skipIf(t.backend !== "postgres")(
      "a step skips a session another transaction holds instead of waiting; a later step takes it",
      async () => {
        const { sessions, open, ids } = await setUp();
        const now = T0 + 30 * 24 * HOUR;
        // Idle-expired long ago but never revoked: revoke-all ends such a row, locking it.
        const held = await open(now - SESSION_RETENTION_MS - lifetimes.idleMs - 2 * HOUR);
        const lock = await holdLocks(
          await t.openAnother(),
          "SELECT id FROM sessions WHERE id = $1 FOR UPDATE",
          [held],
        );
        const step = sessions.pruneEndedStep(now, 100).then((r) => r);
        const outcome = await Promise.race([step, Bun.sleep(3_000).then(() => "waited")]);
        lock.release();
        await lock.done;
        // Its refresh tokens are not locked and go; the session row waits for the next step.
        expect(outcome).toEqual({ refreshTokens: 2, sessions: 0 });
        expect(await ids()).toContain(held);
        expect(await pruneEndedSessions(sessions, now)).toEqual({ sessions: 1, refreshTokens: 0 });
      },
    );

    test("no statement deletes more than a batch, however many tokens a session holds, and each step yields", async () => {
      const { db, sessions, open, ids, tokenCount } = await setUp();
      const now = T0 + 60 * 24 * HOUR;
      const busy = await open(T0);
      // One busy session's rotations: 1 000 tokens, made in one statement on either dialect.
      await db.sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
        INSERT INTO refresh_tokens (token_hash, session_id, created_at)
        SELECT 'bulk-' || i, ${busy}, ${T0} FROM n`;
      for (let i = 0; i < 6; i++) await open(T0);
      expect(await tokenCount()).toBe(1014);

      const steps: Array<{ refreshTokens: number; sessions: number; turnsBefore: number }> = [];
      const loop = countEventLoopTurns();
      const stepping = {
        async pruneEndedStep(cutoff: number, limit: number) {
          const deleted = await sessions.pruneEndedStep(cutoff, limit);
          steps.push({ ...deleted, turnsBefore: loop.turns });
          return deleted;
        },
      };
      const result = await pruneEndedSessions(stepping, now, { batch: 100 });
      loop.stop();

      expect(result).toEqual({ sessions: 7, refreshTokens: 1014 });
      expect(await ids()).toEqual([]);
      expect(steps.every((s) => s.refreshTokens <= 100 && s.sessions <= 100)).toBe(true);
      // Tokens first (11 statements of at most 100), then the sessions, now tokenless.
      expect(steps.length).toBe(11);
      expect(steps.at(-1)).toMatchObject({ refreshTokens: 14, sessions: 7 });
      // The event loop ran between every two steps.
      const seen = steps.map((s) => s.turnsBefore);
      for (let k = 1; k < seen.length; k++) {
        expect(seen[k] as number).toBeGreaterThan(seen[k - 1] as number);
      }
    });

    test("a run stops between steps once aborted, and the cap on steps holds", async () => {
      const { sessions, open, ids } = await setUp();
      const now = T0 + 60 * 24 * HOUR;
      for (let i = 0; i < 7; i++) await open(T0);
      const abort = new AbortController();
      let calls = 0;
      const aborting = {
        async pruneEndedStep(cutoff: number, limit: number) {
          calls++;
          if (calls === 2) abort.abort();
          return sessions.pruneEndedStep(cutoff, limit);
        },
      };
      await pruneEndedSessions(aborting, now, { batch: 3, signal: abort.signal });
      expect(calls).toBe(2);
      expect((await ids()).length).toBeGreaterThan(0);
      // Two steps of 3 rows: 6 of the 14 tokens; the rest waits for the next run.
      expect(await pruneEndedSessions(sessions, now, { batch: 3, maxSteps: 2 })).toEqual({
        sessions: 0,
        refreshTokens: 6,
      });
      expect(await pruneEndedSessions(sessions, now, { batch: 3 })).toEqual({
        sessions: 7,
        refreshTokens: 2,
      });
      expect(await ids()).toEqual([]);
    });

    test("the schedule runs in the background, logs, survives a failure, and stops", async () => {
      const lines: Array<[string, Record<string, unknown> | undefined]> = [];
      const record = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
        lines.push([`${level} ${msg}`, fields]);
      };
      const logger = { info: record("info"), warn: record("warn") } as unknown as Logger;
      let calls = 0;
      let done!: () => void;
      const threeRuns = new Promise<void>((resolve) => {
        done = resolve;
      });
      const pruning = startSessionPruning({
        sessions: {
          async pruneEndedStep() {
            calls++;
            if (calls === 3) done();
            if (calls === 1)
              throw Object.assign(new Error("database down"), { code: "ECONNREFUSED" });
            if (calls === 3) throw null;
            return { sessions: 4, refreshTokens: 9 };
          },
        },
        clock: new ManualClock(T0),
        logger,
        firstDelayMs: 0,
        intervalMs: 1,
      });
      await threeRuns;
      await pruning.stop();
      const after = calls;
      await Bun.sleep(10);
      expect(calls).toBe(after);
      // The failure's name and driver code, never its message; a thrown null is still logged.
      expect(lines).toEqual([
        ["warn pruning ended sessions failed", { error: { name: "Error", code: "ECONNREFUSED" } }],
        ["info ended sessions pruned", { sessions: 4, refresh_tokens: 9 }],
        ["warn pruning ended sessions failed", { error: { name: "object" } }],
      ]);
    });

    test("stop() ends a long run after its current step", async () => {
      const logger = { info() {}, warn() {} } as unknown as Logger;
      let calls = 0;
      let firstStep!: () => void;
      const started = new Promise<void>((resolve) => {
        firstStep = resolve;
      });
      const pruning = startSessionPruning({
        sessions: {
          async pruneEndedStep(_cutoff: number, limit: number) {
            calls++;
            firstStep();
            return { sessions: 0, refreshTokens: limit }; // always a full batch: a long backlog
          },
        },
        clock: new ManualClock(T0),
        logger,
        firstDelayMs: 0,
      });
      await started;
      await pruning.stop();
      expect(calls).toBeLessThanOrEqual(2);
    });
  },
  { fresh: "test" },
);
