import { afterEach, beforeEach, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Database, isStorageError, migrate, openDatabase } from "../../src/storage/index.ts";

// The SQLite driver contract that was implicit while Bun.SQL bound the values:
// what each JavaScript value becomes, what comes back, and the transaction edges.
let dir: string;
let db: Database;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "ts-sqlite-driver-"));
  db = await openDatabase(`sqlite://${join(dir, "x.db")}`);
  await migrate(db);
});

afterEach(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const closedKind = (e: unknown) => isStorageError(e) && e.kind === "closed";

test("values bind as Bun.SQL bound them and rows come back plain", async () => {
  const blob = new Uint8Array([0, 1, 255]);
  const rows = await db.sql`SELECT
      ${true} AS t, ${false} AS f, ${12_345_678_901_234n} AS big, ${1_700_000_000_123} AS ms,
      ${1.5} AS real, ${"text"} AS s, ${null} AS nul, ${undefined} AS undef,
      ${blob} AS blob, ${Buffer.from([7])} AS buf, typeof(${undefined}) AS undef_type,
      typeof(${blob}) AS blob_type, x'0a0b' AS literal_blob`;
  expect(rows).toEqual([
    {
      t: 1,
      f: 0,
      big: 12_345_678_901_234,
      ms: 1_700_000_000_123,
      real: 1.5,
      s: "text",
      nul: null,
      undef: null,
      blob: new Uint8Array([0, 1, 255]),
      buf: new Uint8Array([7]),
      undef_type: "null",
      blob_type: "blob",
      literal_blob: new Uint8Array([10, 11]),
    },
  ]);
  const row = rows[0] as Record<string, unknown>;
  expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
  expect(typeof row.big).toBe("number");
  expect(row.blob).toBeInstanceOf(Uint8Array);
});

test("objects, arrays and dates are refused, never bound as NULL or named parameters", async () => {
  for (const value of [{ a: 1 }, [1, 2], new Date(0)]) {
    await expect(db.sql`SELECT ${value} AS v`).rejects.toThrow("Binding expected");
    await expect(db.unsafe("SELECT ? AS v", [value])).rejects.toThrow("Binding expected");
  }
});

test("unsafe binds ? (and $n) in order; a script without parameters runs every statement", async () => {
  expect(await db.unsafe("SELECT ? AS a, ? AS b", [1, "x"])).toEqual([{ a: 1, b: "x" }]);
  expect(await db.unsafe("SELECT $1 AS a, $2 AS b", [2, undefined])).toEqual([{ a: 2, b: null }]);
  await db.unsafe("CREATE TABLE one (a INTEGER); CREATE TABLE two (b INTEGER)");
  const tables = await db.sql<{ name: string }>`
    SELECT name FROM sqlite_master WHERE name IN ('one', 'two') ORDER BY name`;
  expect(tables).toEqual([{ name: "one" }, { name: "two" }]);
  await expect(db.unsafe("SELECT ? AS a, ? AS b", [1])).rejects.toThrow("expected 2 values");
});

test("a cached statement keeps working after it failed", async () => {
  const insert = (key: string) =>
    db.sql`INSERT INTO settings (key, value, updated_at) VALUES (${key}, 'v', 1)`;
  await insert("a");
  await expect(insert("a")).rejects.toThrow("UNIQUE constraint failed");
  await insert("b");
  const keys = await db.sql`SELECT key FROM settings ORDER BY key`;
  expect(keys).toEqual([{ key: "a" }, { key: "b" }]);
});

test("a failed COMMIT rolls back, rethrows, and leaves the connection usable", async () => {
  const err = await db
    .transaction(async (tx) => {
      await tx.sql`PRAGMA defer_foreign_keys = ON`;
      await tx.sql`INSERT INTO sessions (id, user_id, created_at, last_used_at, absolute_expires_at)
        VALUES ('s1', 'no-such-user', 1, 1, 2)`;
      return "committed";
    })
    .catch((e: unknown) => e);
  expect(String(err)).toContain("FOREIGN KEY constraint failed");
  expect(await db.sql`SELECT id FROM sessions`).toEqual([]);
  expect(await db.transaction(async (tx) => tx.sql`SELECT 1 AS ok`)).toEqual([{ ok: 1 }]);
});

test("savepoints: siblings take turns, an outer handle used inside an inner body does not wait", async () => {
  const put = (tx: Pick<Database, "sql">, key: string) =>
    tx.sql`INSERT INTO settings (key, value, updated_at) VALUES (${key}, 'v', 1)`;
  await db.transaction(async (tx) => {
    const results = await Promise.allSettled([
      tx.transaction(async (a) => {
        await put(a, "a1");
        await Bun.sleep(0);
        await put(a, "a2");
      }),
      tx.transaction(async (b) => {
        await put(b, "b1");
        throw new Error("b fails");
      }),
      tx.transaction(async () => {
        await tx.transaction(async (deep) => put(deep, "deep"));
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });
  const keys = await db.sql`SELECT key FROM settings ORDER BY key`;
  expect(keys).toEqual([{ key: "a1" }, { key: "a2" }, { key: "deep" }]);
});

test("a savepoint still running when its transaction fails is rolled back with it, never committed alone", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const outer = db.transaction(async (tx) => {
    const child = tx.transaction(async (sp) => {
      await gate;
      await sp.sql`INSERT INTO settings (key, value, updated_at) VALUES ('leaked', 'v', 1)`;
    });
    child.catch(() => {});
    throw new Error("outer fails");
  });
  release();
  expect(await outer.catch((e: Error) => e.message)).toBe("outer fails");
  expect(await db.sql`SELECT key FROM settings WHERE key = 'leaked'`).toEqual([]);
});

test("a transaction handle used after its transaction finished is refused", async () => {
  const leaked = await db.transaction(async (tx) => tx);
  const err = await leaked.sql`SELECT 1`.catch((e: unknown) => e);
  expect(closedKind(err)).toBe(true);
});

test("close lets queued work finish, then refuses every call", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const running = db.transaction(async (tx) => {
    await gate;
    await tx.sql`INSERT INTO settings (key, value, updated_at) VALUES ('during', 'v', 1)`;
    return "done";
  });
  const queued = db.sql`SELECT 1 AS queued`;
  const closing = db.close();
  const late = db.sql`SELECT 1`.catch((e: unknown) => e);
  release();
  expect(await running).toBe("done");
  expect(await queued).toEqual([{ queued: 1 }]);
  await closing;
  expect(closedKind(await late)).toBe(true);
  for (const call of [
    () => db.sql`SELECT 1`,
    () => db.unsafe("SELECT 1"),
    () => db.transaction(async () => 1),
  ]) {
    expect(closedKind(await call().catch((e: unknown) => e))).toBe(true);
  }
  const reopened = await openDatabase(`sqlite://${join(dir, "x.db")}`);
  expect(await reopened.sql`SELECT key FROM settings`).toEqual([{ key: "during" }]);
  await reopened.close();
});

test(":memory: works, and prepareRead there joins the ambient transaction", async () => {
  const mem = await openDatabase("sqlite://:memory:");
  try {
    await migrate(mem);
    const read = mem.prepareRead<{ value: string }>("SELECT value FROM settings WHERE key = $1");
    await mem.transaction(async (tx) => {
      await tx.sql`INSERT INTO settings (key, value, updated_at) VALUES ('m', 'x', 1)`;
      expect(await read("m")).toEqual([{ value: "x" }]);
    });
    expect(await mem.sql`PRAGMA foreign_keys`).toEqual([{ foreign_keys: 1 }]);
  } finally {
    await mem.close();
  }
});

test("a new database file, its WAL and its directory are private to the owner", async () => {
  const nested = join(dir, "fresh", "data");
  const fresh = await openDatabase(`sqlite://${join(nested, "t.db")}`);
  try {
    await migrate(fresh);
    const mode = (path: string) => statSync(path).mode & 0o777;
    expect(mode(join(nested, "t.db"))).toBe(0o600);
    expect(mode(join(nested, "t.db-wal"))).toBe(0o600);
    expect(mode(nested)).toBe(0o700);
  } finally {
    await fresh.close();
  }
});

test("an existing database file keeps the mode its operator gave it", async () => {
  const path = join(dir, "existing.db");
  writeFileSync(path, "");
  chmodSync(path, 0o640);
  const existing = await openDatabase(`sqlite://${path}`);
  await existing.close();
  expect(statSync(path).mode & 0o777).toBe(0o640);
});

test("a path naming an existing directory is refused by name, read-only or not", async () => {
  for (const readOnly of [false, true]) {
    const refusal = await openDatabase(`sqlite://${dir}`, { readOnly }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isStorageError(refusal) && refusal.kind).toBe("unsupported_url");
    expect(String(refusal)).toContain("names a directory");
  }
});
