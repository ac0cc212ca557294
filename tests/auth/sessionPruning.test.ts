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
      return { sessions, open, ids, tokenCount };
    };

    test("only sessions that ended more than the retention ago go, tokens with them", async () => {
      const { sessions, open, ids, tokenCount } = await setUp();
      const now = T0 + 30 * 24 * HOUR;
      const week = SESSION_RETENTION_MS;
      // Ended long ago: revoked 8 days ago; idle since 9 days; past its absolute lifetime 8 days ago.
      const revokedOld = await open(now - 8.5 * 24 * HOUR);
      await sessions.revoke(revokedOld, "logout", now - week - HOUR);
      const idleOld = await open(now - week - lifetimes.idleMs - 2 * HOUR);
      // Kept: live; revoked yesterday; idle-expired yesterday; absolute-expired yesterday.
      const live = await open(now - HOUR);
      const revokedRecent = await open(now - 2 * 24 * HOUR);
      await sessions.revoke(revokedRecent, "logout", now - 24 * HOUR);
      const idleRecent = await open(now - lifetimes.idleMs - 24 * HOUR);
      const absoluteRecent = await open(now - lifetimes.absoluteMs - 24 * HOUR);
      expect(await tokenCount()).toBe(12);

      expect(await pruneEndedSessions(sessions, now)).toBe(2);
      expect(await ids()).toEqual([live, revokedRecent, idleRecent, absoluteRecent].sort());
      expect(await tokenCount()).toBe(8);
      expect(await ids()).not.toContain(idleOld);
      // Idempotent: a second run (another instance) deletes nothing more.
      expect(await pruneEndedSessions(sessions, now)).toBe(0);
    });

    test("a backlog larger than a batch is deleted in several statements", async () => {
      const { sessions, open, ids } = await setUp();
      const now = T0 + 60 * 24 * HOUR;
      for (let i = 0; i < 7; i++) await open(T0);
      expect(await pruneEndedSessions(sessions, now, { batch: 3 })).toBe(7);
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
      const twoRuns = new Promise<void>((resolve) => {
        done = resolve;
      });
      const pruning = startSessionPruning({
        sessions: {
          async deleteEndedBefore() {
            calls++;
            if (calls === 2) done();
            if (calls === 1) throw new Error("database down");
            return 4;
          },
        },
        clock: new ManualClock(T0),
        logger,
        firstDelayMs: 0,
        intervalMs: 1,
      });
      await twoRuns;
      await pruning.stop();
      const after = calls;
      await Bun.sleep(10);
      expect(calls).toBe(after);
      expect(lines[0]).toEqual([
        "warn pruning ended sessions failed",
        { error: { name: "Error" } },
      ]);
      expect(lines[1]).toEqual(["info ended sessions pruned", { deleted: 4 }]);
    });
  },
  { fresh: "test" },
);
