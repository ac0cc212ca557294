/**
 * A PostgreSQL query or transaction that outlives the server's deadline fails
 * as StorageError `timeout`, which the app answers with 503; connection-level
 * failures count as the database being unavailable, query bugs do not.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { openDatabase } from "../../src/storage/database.ts";
import { isDatabaseUnavailable, StorageError } from "../../src/storage/errors.ts";
import { createTestDatabase, dropTestDatabase, postgresSkipped } from "../support/postgres.ts";

describe.skipIf(postgresSkipped)("PostgreSQL query deadline", () => {
  let url: string;
  beforeAll(async () => {
    url = await createTestDatabase();
  });
  afterAll(async () => {
    await dropTestDatabase(url);
  });

  test("a query or transaction past the deadline is a timeout; a quick one is not", async () => {
    const db = await openDatabase(url, { queryTimeoutMs: 100 });
    try {
      expect(await db.sql<{ ok: number }>`SELECT 1 AS ok`).toEqual([{ ok: 1 }]);
      const slow = await db.sql`SELECT pg_sleep(1)`.catch((e: unknown) => e);
      expect(slow).toBeInstanceOf(StorageError);
      expect((slow as StorageError).kind).toBe("timeout");
      expect(isDatabaseUnavailable(slow)).toBe(true);
      const tx = await db
        .transaction(async (t) => {
          await t.sql`SELECT 1`;
          await t.sql`SELECT pg_sleep(1)`;
        })
        .catch((e: unknown) => e);
      expect((tx as StorageError).kind).toBe("timeout");
    } finally {
      await db.close();
    }
  });

  test("a transaction past the deadline is rolled back, not left to commit later", async () => {
    const db = await openDatabase(url, { queryTimeoutMs: 200 });
    const holder = await openDatabase(url, {});
    try {
      await db.sql`CREATE TABLE deadline_rows (id integer PRIMARY KEY, v integer NOT NULL)`;
      await db.sql`INSERT INTO deadline_rows VALUES (1, 0)`;
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      // Another session holds the row for longer than the deadline.
      const held = holder.transaction(async (t) => {
        await t.sql`SELECT id FROM deadline_rows WHERE id = 1 FOR UPDATE`;
        await released;
      });
      await Bun.sleep(50);
      const write = await db
        .transaction(async (t) => {
          await t.sql`INSERT INTO deadline_rows VALUES (2, 2)`;
          await t.sql`UPDATE deadline_rows SET v = 1 WHERE id = 1`;
        })
        .catch((e: unknown) => e);
      expect((write as StorageError).kind).toBe("timeout");
      await Bun.sleep(300); // past the server-side statement timeout too
      release();
      await held;
      await Bun.sleep(100);
      expect(await holder.sql`SELECT id, v FROM deadline_rows ORDER BY id`).toEqual([
        { id: 1, v: 0 },
      ]);
    } finally {
      await holder.close();
      await db.close();
    }
  });

  test("waits that add up past the deadline roll the transaction back too", async () => {
    const db = await openDatabase(url, { queryTimeoutMs: 300 });
    try {
      await db.sql`CREATE TABLE deadline_sum (id integer PRIMARY KEY)`;
      const late = await db
        .transaction(async (t) => {
          await t.sql`SELECT pg_sleep(0.2)`;
          await t.sql`SELECT pg_sleep(0.2)`;
          await t.sql`INSERT INTO deadline_sum VALUES (1)`;
        })
        .catch((e: unknown) => e);
      expect((late as StorageError).kind).toBe("timeout");
      await Bun.sleep(200);
      expect(await db.sql`SELECT id FROM deadline_sum`).toEqual([]);
    } finally {
      await db.close();
    }
  });

  test("a COMMIT still running at the deadline answers with its own outcome, not a false 503", async () => {
    const db = await openDatabase(url, { queryTimeoutMs: 300 });
    try {
      // A deferred trigger runs inside COMMIT: a slow commit (an fsync stall, a synchronous standby).
      await db.unsafe(`CREATE TABLE slow_commit (id integer PRIMARY KEY)`);
      await db.unsafe(`CREATE FUNCTION slow_commit_wait() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_sleep(0.25); RETURN NULL; END $$`);
      await db.unsafe(`CREATE CONSTRAINT TRIGGER slow_commit_at_commit AFTER INSERT ON slow_commit
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit_wait()`);
      const started = performance.now();
      const outcome = await db
        .transaction(async (t) => {
          await t.sql`SELECT pg_sleep(0.15)`;
          await t.sql`INSERT INTO slow_commit VALUES (1)`;
          return "committed";
        })
        .catch((e: unknown) => e);
      expect(outcome).toBe("committed");
      expect(performance.now() - started).toBeGreaterThan(300); // it did outlast the deadline
      expect(await db.sql`SELECT id FROM slow_commit`).toEqual([{ id: 1 }]);
    } finally {
      await db.close();
    }
  });

  test("a query bug is not an outage", async () => {
    const db = await openDatabase(url, { queryTimeoutMs: 1_000 });
    try {
      const bug = await db.sql`SELECT * FROM no_such_table`.catch((e: unknown) => e);
      expect(isDatabaseUnavailable(bug)).toBe(false);
    } finally {
      await db.close();
    }
  });
});

test("connection-level codes count as unavailable", () => {
  for (const code of ["ECONNREFUSED", "ERR_POSTGRES_CONNECTION_CLOSED", "SQLITE_BUSY"]) {
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code }))).toBe(true);
  }
  expect(isDatabaseUnavailable(new StorageError("closed", "closed"))).toBe(true);
  expect(isDatabaseUnavailable(new StorageError("commit_unknown", "unknown"))).toBe(true);
  expect(isDatabaseUnavailable(new StorageError("migration_failed", "m"))).toBe(false);
  expect(isDatabaseUnavailable(new Error("plain"))).toBe(false);
});
