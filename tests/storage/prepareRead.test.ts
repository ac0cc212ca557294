import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isStorageError, migrate, openDatabase } from "../../src/storage/index.ts";
import { describeEachDatabase } from "../support/databases.ts";

describeEachDatabase("prepareRead", (t) => {
  test("binds $1, $2 in order and returns plain rows with numbers", async () => {
    const db = t.db();
    await db.sql`INSERT INTO settings (key, value, updated_at) VALUES ('p1', 'one', 1700000000123), ('p2', 'two', 2)`;
    const read = db.prepareRead<{ key: string; value: string; updated_at: number }>(
      "SELECT key, value, updated_at FROM settings WHERE key = $1 OR key = $2 ORDER BY key",
    );
    expect(await read("p1", "p2")).toEqual([
      { key: "p1", value: "one", updated_at: 1_700_000_000_123 },
      { key: "p2", value: "two", updated_at: 2 },
    ]);
    expect(await read("p2", "none")).toEqual([{ key: "p2", value: "two", updated_at: 2 }]);
  });

  test("a reused statement sees every committed write, from this handle or another", async () => {
    const db = t.db();
    const other = await t.openAnother();
    const read = db.prepareRead<{ value: string }>("SELECT value FROM settings WHERE key = $1");
    expect(await read("shared")).toEqual([]);
    await db.sql`INSERT INTO settings (key, value, updated_at) VALUES ('shared', 'a', 1)`;
    expect(await read("shared")).toEqual([{ value: "a" }]);
    await other.transaction(async (tx) => {
      await tx.sql`UPDATE settings SET value = 'b' WHERE key = 'shared'`;
    });
    expect(await read("shared")).toEqual([{ value: "b" }]);
    await db.sql`DELETE FROM settings WHERE key = 'shared'`;
    expect(await read("shared")).toEqual([]);
  });
});

test("SQLite file: reads run on a query-only connection and stop when the database closes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ts-prepared-"));
  try {
    const db = await openDatabase(`sqlite://${join(dir, "x.db")}`);
    await migrate(db);
    const write = db.prepareRead(
      "INSERT INTO settings (key, value, updated_at) VALUES ($1, 'x', 1)",
    );
    await expect(write("sneaky")).rejects.toThrow(
      /readonly|read-only|query_only|attempt to write/i,
    );
    expect(await db.sql`SELECT key FROM settings WHERE key = 'sneaky'`).toEqual([]);
    const read = db.prepareRead("SELECT 1 AS one");
    expect(await read()).toEqual([{ one: 1 }]);
    await db.close();
    const err = await read().catch((e: unknown) => e);
    expect(isStorageError(err) && err.kind === "closed").toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
