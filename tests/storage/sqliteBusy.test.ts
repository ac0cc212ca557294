import { Database as Connection } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDatabaseUnavailable } from "../../src/storage/errors.ts";
import { type Database, openDatabase } from "../../src/storage/index.ts";
import { isSqliteBusy, whenUnlocked } from "../../src/storage/sqliteBusy.ts";

// Another process holding SQLite's write lock, played by a second raw connection in this
// process: with SQLite's own busy_timeout the wait was synchronous, so the holder (or any
// timer, or any other request) could not run until the waiter gave up.
let dir: string;
let db: Database;
let holder: Connection;
let opened = false;

const open = async (busyTimeoutMs: number) => {
  db = await openDatabase(`sqlite://${join(dir, "x.db")}`, { busyTimeoutMs });
  await db.sql`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`;
  holder = new Connection(join(dir, "x.db"));
  opened = true;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ts-sqlite-busy-"));
});

afterEach(async () => {
  if (opened) {
    if (holder.inTransaction) holder.run("ROLLBACK");
    holder.close();
    await db.close();
    opened = false;
  }
  rmSync(dir, { recursive: true, force: true });
});

const values = async () =>
  (await db.sql<{ v: string }>`SELECT v FROM t ORDER BY id`).map((r) => r.v);

test("a transaction waits for another connection's lock without blocking the event loop", async () => {
  await open(5000);
  holder.run("BEGIN IMMEDIATE");
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 1);
  // Only a free event loop can run this release; a blocking wait would end in SQLITE_BUSY.
  setTimeout(() => holder.run("COMMIT"), 30);
  await db.transaction(async (tx) => {
    await tx.sql`INSERT INTO t (v) VALUES (${"a"})`;
  });
  clearInterval(ticker);
  expect(ticks).toBeGreaterThan(3);
  expect(await values()).toEqual(["a"]);
});

test("statements outside a transaction wait in turn and keep their order", async () => {
  await open(5000);
  holder.run("BEGIN IMMEDIATE");
  const first = db.sql`INSERT INTO t (v) VALUES (${"first"})`;
  const second = db.sql`INSERT INTO t (v) VALUES (${"second"})`;
  const third = db.transaction((tx) => tx.sql`INSERT INTO t (v) VALUES (${"third"})`);
  setTimeout(() => holder.run("COMMIT"), 20);
  await Promise.all([first, second, third]);
  expect(await values()).toEqual(["first", "second", "third"]);
});

test("prepared reads go on while a write waits for the lock", async () => {
  await open(5000);
  await db.sql`INSERT INTO t (v) VALUES (${"before"})`;
  const read = db.prepareRead<{ v: string }>("SELECT v FROM t");
  holder.run("BEGIN IMMEDIATE");
  const write = db.sql`INSERT INTO t (v) VALUES (${"after"})`;
  expect(await read()).toEqual([{ v: "before" }]);
  holder.run("COMMIT");
  await write;
  expect(await read()).toEqual([{ v: "before" }, { v: "after" }]);
});

test("past its budget a statement fails as unavailable, having changed nothing", async () => {
  await open(60);
  holder.run("BEGIN IMMEDIATE");
  const started = performance.now();
  const failures = await Promise.allSettled([
    db.sql`INSERT INTO t (v) VALUES (${"x"})`,
    db.transaction((tx) => tx.sql`INSERT INTO t (v) VALUES (${"y"})`),
  ]);
  const waited = performance.now() - started;
  for (const f of failures) {
    expect(f.status).toBe("rejected");
    const reason = (f as PromiseRejectedResult).reason;
    expect(isSqliteBusy(reason)).toBe(true);
    expect(isDatabaseUnavailable(reason)).toBe(true);
  }
  // Both waited their budget, not SQLite's blocking 5 s.
  expect(waited).toBeGreaterThanOrEqual(55);
  expect(waited).toBeLessThan(2000);
  holder.run("COMMIT");
  await db.sql`INSERT INTO t (v) VALUES (${"later"})`;
  expect(await values()).toEqual(["later"]);
});

test("statements queued behind a waiting one share its wait: each fails within its budget of asking", async () => {
  await open(300);
  holder.run("BEGIN IMMEDIATE");
  const started = performance.now();
  const failedAfter = await Promise.all(
    Array.from({ length: 8 }, (_, k) =>
      (k % 2 === 0
        ? db.sql`INSERT INTO t (v) VALUES (${`q${k}`})`
        : db.transaction((tx) => tx.sql`INSERT INTO t (v) VALUES (${`q${k}`})`)
      ).then(
        () => Number.NaN,
        (err: unknown) => (isSqliteBusy(err) ? performance.now() - started : Number.NaN),
      ),
    ),
  );
  // One budget each, one after the other, the third would fail after 600 ms and the last after
  // 2.4 s; sharing the wait, all end just after 300 ms.
  for (const ms of failedAfter) {
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(590);
  }
  holder.run("COMMIT");
  expect(await values()).toEqual([]);
});

test("a script without parameters is not run again after a refusal", async () => {
  await open(5000);
  holder.run("BEGIN IMMEDIATE");
  const started = performance.now();
  const script = db.unsafe("INSERT INTO t (v) VALUES ('s1'); INSERT INTO t (v) VALUES ('s2')");
  expect(isSqliteBusy(await script.catch((e: unknown) => e))).toBe(true);
  expect(performance.now() - started).toBeLessThan(1000);
  holder.run("COMMIT");
  expect(await values()).toEqual([]);
});

test("whenUnlocked passes other errors through at once and spends no budget on them", async () => {
  let calls = 0;
  const other = Object.assign(new Error("constraint"), { code: "SQLITE_CONSTRAINT" });
  const result = await whenUnlocked(() => {
    calls++;
    throw other;
  }, performance.now() + 1000).catch((e: unknown) => e);
  expect(result).toBe(other);
  expect(calls).toBe(1);
  let attempts = 0;
  const busy = () => Object.assign(new Error("locked"), { code: "SQLITE_BUSY_RECOVERY" });
  const value = await whenUnlocked(() => {
    if (++attempts < 3) throw busy();
    return "done";
  }, performance.now() + 1000);
  expect([value, attempts]).toEqual(["done", 3]);
});
