/**
 * A full disk on SQLite is an outage (503), not a bug (500): `SQLITE_FULL`,
 * played by `PRAGMA max_page_count` (SQLite answers a write past the limit
 * exactly as it answers a full volume: "database or disk is full").
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDatabaseUnavailable } from "../../src/storage/errors.ts";
import { type Database, openDatabase } from "../../src/storage/index.ts";

let dir: string | undefined;
let db: Database | undefined;
afterEach(async () => {
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

test("a write to a full SQLite database is unavailable, not a bug; reads go on; room again heals it", async () => {
  dir = mkdtempSync(join(tmpdir(), "ts-sqlite-full-"));
  db = await openDatabase(`sqlite://${join(dir, "x.db")}`);
  await db.sql`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`;
  await db.sql`INSERT INTO t (v) VALUES (${"kept"})`;
  const [{ pages } = { pages: 0 }] = await db.unsafe<{ pages: number }>(
    "SELECT page_count AS pages FROM pragma_page_count()",
  );
  await db.unsafe(`PRAGMA max_page_count = ${pages}`);

  const big = "x".repeat(64 * 1024);
  const plain = await failure(db.sql`INSERT INTO t (v) VALUES (${big})`);
  expect((plain as { code?: string }).code).toBe("SQLITE_FULL");
  expect(isDatabaseUnavailable(plain)).toBe(true);
  const inTransaction = await failure(
    db.transaction(async (tx) => {
      await tx.sql`INSERT INTO t (v) VALUES (${big})`;
    }),
  );
  expect(isDatabaseUnavailable(inTransaction)).toBe(true);

  expect((await db.sql<{ v: string }>`SELECT v FROM t`).map((r) => r.v)).toEqual(["kept"]);
  await db.unsafe("PRAGMA max_page_count = 1073741823");
  await db.sql`INSERT INTO t (v) VALUES (${big})`;
  expect(await db.sql`SELECT id FROM t`).toHaveLength(2);
});

test("a constraint violation is still a bug to report, not an outage", async () => {
  dir = mkdtempSync(join(tmpdir(), "ts-sqlite-full-"));
  db = await openDatabase(`sqlite://${join(dir, "x.db")}`);
  await db.sql`CREATE TABLE t (id INTEGER PRIMARY KEY)`;
  await db.sql`INSERT INTO t (id) VALUES (${1})`;
  expect(isDatabaseUnavailable(await failure(db.sql`INSERT INTO t (id) VALUES (${1})`))).toBe(
    false,
  );
});

test("after a full disk rolls the whole transaction back, the rest of it is refused, not committed alone", async () => {
  dir = mkdtempSync(join(tmpdir(), "ts-sqlite-full-"));
  const opened = await openDatabase(`sqlite://${join(dir, "x.db")}`);
  db = opened;
  await db.sql`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`;
  const [{ pages } = { pages: 0 }] = await db.unsafe<{ pages: number }>(
    "SELECT page_count AS pages FROM pragma_page_count()",
  );
  await db.unsafe(`PRAGMA max_page_count = ${pages + 1}`);
  const big = "x".repeat(64 * 1024);

  const outcome = await failure(
    db.transaction(async (tx) => {
      await tx.sql`INSERT INTO t (v) VALUES (${"first"})`;
      const nested = await failure(
        tx.transaction(async (sp) => {
          await sp.sql`INSERT INTO t (v) VALUES (${big})`;
        }),
      );
      expect((nested as { code?: string }).code).toBe("SQLITE_FULL");
      // Caught and carried on: these would otherwise run in autocommit and stand alone.
      const after = await failure(tx.sql`INSERT INTO t (v) VALUES (${"after"})`);
      expect(after).toBe(nested);
      expect(await failure(opened.sql`INSERT INTO t (v) VALUES (${"ambient"})`)).toBe(nested);
      expect(await failure(tx.transaction(async () => {}))).toBe(nested);
    }),
  );
  expect((outcome as { code?: string }).code).toBe("SQLITE_FULL");
  expect(isDatabaseUnavailable(outcome)).toBe(true);
  expect(await db.sql`SELECT v FROM t`).toEqual([]);

  // The connection is usable again once there is room.
  await db.unsafe("PRAGMA max_page_count = 1073741823");
  await db.transaction(async (tx) => {
    await tx.sql`INSERT INTO t (v) VALUES (${"later"})`;
  });
  expect((await db.sql<{ v: string }>`SELECT v FROM t`).map((r) => r.v)).toEqual(["later"]);
});
