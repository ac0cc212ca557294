import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDatabaseUnavailable, mayHaveCommitted } from "../../src/storage/errors.ts";
import { isStorageError, openDatabase, parseDatabaseUrl } from "../../src/storage/index.ts";
import { describeEachDatabase } from "../support/databases.ts";

describeEachDatabase("storage database", (t) => {
  test("RETURNING, upsert and BIGINT come back as numbers", async () => {
    const db = t.db();
    const at = 1_700_000_000_123;
    const [row] = await db.sql<{ key: string; updated_at: number }>`
      INSERT INTO settings (key, value, updated_at) VALUES (${"k1"}, ${"a"}, ${at})
      RETURNING key, updated_at`;
    expect(row).toEqual({ key: "k1", updated_at: at });
    const [up] = await db.sql<{ value: string; updated_at: number }>`
      INSERT INTO settings (key, value, updated_at) VALUES (${"k1"}, ${"b"}, ${at + 1})
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
      RETURNING value, updated_at`;
    expect(up).toEqual({ value: "b", updated_at: at + 1 });
    const [count] = await db.sql<{
      n: number;
    }>`SELECT COUNT(*) AS n FROM settings WHERE key = ${"k1"}`;
    expect(count?.n).toBe(1);
  });

  test("a throwing transaction rolls back; a resolving one commits", async () => {
    const db = t.db();
    await expect(
      db.transaction(async (tx) => {
        await tx.sql`INSERT INTO settings (key, value, updated_at) VALUES ('rb', 'x', 1)`;
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await db.sql`SELECT key FROM settings WHERE key = 'rb'`).toEqual([]);
    const result = await db.transaction(async (tx) => {
      await tx.sql`INSERT INTO settings (key, value, updated_at) VALUES ('ok', 'x', 1)`;
      return 42;
    });
    expect(result).toBe(42);
    expect(await db.sql`SELECT key FROM settings WHERE key = 'ok'`).toEqual([{ key: "ok" }]);
  });

  test("a query outside a running transaction is not swallowed by its rollback", async () => {
    const db = t.db();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const tx = db
      .transaction(async (tx) => {
        await tx.sql`INSERT INTO settings (key, value, updated_at) VALUES ('in-tx', 'x', 1)`;
        await gate;
        throw new Error("rollback");
      })
      .catch(() => "rolled back");
    const outside = db.sql`INSERT INTO settings (key, value, updated_at) VALUES ('outside', 'x', 1)`;
    release();
    expect(await tx).toBe("rolled back");
    await outside;
    const keys = await db.sql<{ key: string }>`
      SELECT key FROM settings WHERE key IN ('in-tx', 'outside') ORDER BY key`;
    expect(keys).toEqual([{ key: "outside" }]);
  });

  test("queries through db inside a transaction join it; nested transaction is a savepoint", async () => {
    const db = t.db();
    await expect(
      db.transaction(async () => {
        await db.sql`INSERT INTO settings (key, value, updated_at) VALUES ('amb', 'x', 1)`;
        await db
          .transaction(async () => {
            await db.sql`INSERT INTO settings (key, value, updated_at) VALUES ('sp', 'x', 1)`;
            throw new Error("inner");
          })
          .catch(() => undefined);
        const seen = await db.sql`SELECT key FROM settings WHERE key IN ('amb', 'sp')`;
        expect(seen).toEqual([{ key: "amb" }]);
        throw new Error("outer");
      }),
    ).rejects.toThrow("outer");
    expect(await db.sql`SELECT key FROM settings WHERE key IN ('amb', 'sp')`).toEqual([]);
  });

  test("foreign keys are enforced", async () => {
    const db = t.db();
    await expect(
      db.sql`INSERT INTO sessions (id, user_id, created_at, last_used_at, absolute_expires_at)
             VALUES ('s1', 'no-such-user', 1, 1, 2)`,
    ).rejects.toThrow();
  });

  test("ping answers ready", async () => {
    expect(await t.db().ping(1000)).toEqual({ ok: true, state: "ready" });
  });

  test("a second handle sees committed writes", async () => {
    const other = await t.openAnother();
    await t.db().sql`INSERT INTO settings (key, value, updated_at) VALUES ('shared', 'v', 1)`;
    expect(await other.sql`SELECT value FROM settings WHERE key = 'shared'`).toEqual([
      { value: "v" },
    ]);
  });

  test("PostgreSQL errors about the server, not the query, count as unavailable", async () => {
    if (t.backend !== "postgres") return;
    const raised = (state: string) =>
      t
        .db()
        .unsafe(`DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '${state}'; END $$`)
        .catch((e: unknown) => e);
    // A restart in progress (57P01–57P03) answered 500 while the pool reconnected.
    for (const state of [
      "57P01",
      "57P02",
      "57P03",
      "57014",
      "08006",
      "53300",
      "53100",
      "40P01",
      "40001",
    ]) {
      expect({ state, unavailable: isDatabaseUnavailable(await raised(state)) }).toEqual({
        state,
        unavailable: true,
      });
    }
    for (const state of ["23505", "42P01", "22021", "P0001"]) {
      expect({ state, unavailable: isDatabaseUnavailable(await raised(state)) }).toEqual({
        state,
        unavailable: false,
      });
    }
  });

  test("a transaction whose connection dies at COMMIT may have committed; an answered failure did not", async () => {
    if (t.backend !== "postgres") return;
    const other = await t.openAnother();
    const lost = await t
      .db()
      .transaction(async (tx) => {
        await tx.sql`INSERT INTO settings (key, value, updated_at) VALUES ('lost', 'v', 1)`;
        const [row] = await tx.sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`;
        // Its own backend is ended from outside: the COMMIT that follows meets a dead connection.
        await other.sql`SELECT pg_terminate_backend(${row?.pid})`;
      })
      .catch((e: unknown) => e);
    expect(mayHaveCommitted(lost)).toBe(true);
    const answered = await t
      .db()
      .transaction(async (tx) => {
        await tx.sql`SELECT 1 / 0 AS boom`;
      })
      .catch((e: unknown) => e);
    expect(answered).toBeInstanceOf(Error);
    expect(mayHaveCommitted(answered)).toBe(false);
  });

  test("a login the server refuses (a role that may not log in, a missing database) counts as unavailable", async () => {
    if (t.backend !== "postgres") return;
    // A rotated or revoked credential: every request had answered 500 "internal" (a drill).
    const role = `nologin_${crypto.randomUUID().slice(0, 8)}`;
    await t.db().unsafe(`CREATE ROLE "${role}" NOLOGIN`);
    const refusedAs = async (url: URL) => {
      const db = await openDatabase(url.href, { queryTimeoutMs: 5_000 });
      try {
        return await db.sql`SELECT 1 AS ok`.catch((e: unknown) => e);
      } finally {
        await db.close();
      }
    };
    const asRole = new URL(t.url());
    asRole.username = role;
    const noDatabase = new URL(t.url());
    noDatabase.pathname = `/missing_${crypto.randomUUID().slice(0, 8)}`;
    for (const [what, url, state] of [
      ["role", asRole, "28000"],
      ["database", noDatabase, "3D000"],
    ] as const) {
      const error = (await refusedAs(url)) as { errno?: unknown };
      expect({ what, errno: error.errno, unavailable: isDatabaseUnavailable(error) }).toEqual({
        what,
        errno: state,
        unavailable: true,
      });
    }
  });

  test.each([
    ["U+0000", "a\u0000b"],
    ["a lone surrogate", "a\ud800b"],
  ])("text with %s is refused before it is sent, on every path, alike on both", async (_, bad) => {
    const db = t.db();
    const invalidText = (e: unknown) => isStorageError(e) && e.kind === "invalid_text";
    const attempts: Promise<unknown>[] = [
      db.sql`SELECT ${bad} AS v`,
      db.unsafe("SELECT $1 AS v", [bad]),
      db.prepareRead("SELECT value FROM settings WHERE key = $1")(bad),
      db.transaction(
        (tx) => tx.sql`INSERT INTO settings (key, value, updated_at) VALUES (${"k"}, ${bad}, 1)`,
      ),
      db.transaction((tx) => tx.unsafe("SELECT $1 AS v", [bad])),
    ];
    const outcomes = await Promise.all(attempts.map((a) => a.catch((e: unknown) => e)));
    for (const outcome of outcomes) expect(invalidText(outcome)).toBe(true);
    // Nothing was written, and the connection is fine; an escaped NUL inside JSON text is storable.
    expect(await db.sql`SELECT value FROM settings WHERE key = ${"k"}`).toEqual([]);
    const json = JSON.stringify({ v: bad });
    expect(await db.sql`SELECT ${json} AS v`).toEqual([{ v: json }]);
  });
});

test("DATABASE_URL parsing accepts sqlite and postgres, never echoes the URL", () => {
  expect(parseDatabaseUrl("sqlite://./data/trading.db")).toEqual({
    dialect: "sqlite",
    filename: "./data/trading.db",
  });
  expect(parseDatabaseUrl("sqlite:///var/lib/x.db")).toEqual({
    dialect: "sqlite",
    filename: "/var/lib/x.db",
  });
  expect(parseDatabaseUrl("sqlite://:memory:")).toEqual({
    dialect: "sqlite",
    filename: ":memory:",
  });
  expect(parseDatabaseUrl("postgresql://u:p@h/db").dialect).toBe("postgres");
  // URL syntax a sqlite:// path does not take: each opened (and migrate created) another file.
  for (const [url, says] of [
    ["sqlite:///var/lib/trading.db?mode=ro", "query or #fragment"],
    ["sqlite:///var/lib/trading.db#x", "query or #fragment"],
    ["sqlite:///var/lib/my%20db.db", "%-escape"],
    ["sqlite://~/trading.db", "starts with ~"],
  ] as const) {
    expect(() => parseDatabaseUrl(url)).toThrow(says);
  }
  expect(parseDatabaseUrl("sqlite:///var/lib/100%.db").dialect).toBe("sqlite");
  try {
    parseDatabaseUrl("mysql://root:hunter2@db/x");
    throw new Error("expected a failure");
  } catch (error) {
    expect(isStorageError(error)).toBe(true);
    expect(String((error as Error).message)).not.toContain("hunter2");
  }
});

test("SQLite: creates the parent directory and uses WAL", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ts-storage-"));
  try {
    const db = await openDatabase(`sqlite://${join(dir, "nested", "deeper", "x.db")}`);
    expect(existsSync(join(dir, "nested", "deeper"))).toBe(true);
    expect(await db.sql`PRAGMA journal_mode`).toEqual([{ journal_mode: "wal" }]);
    expect(await db.sql`PRAGMA foreign_keys`).toEqual([{ foreign_keys: 1 }]);
    await db.close();
    await expect(db.sql`SELECT 1`).rejects.toThrow("closed");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("ping on an unreachable PostgreSQL answers within its timeout", async () => {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  // A server that accepts and never answers: the worst case for a readiness probe.
  const db = await openDatabase(`postgres://u@127.0.0.1:${server.port}/x`);
  const started = performance.now();
  const health = await db.ping(300);
  expect(health.ok).toBe(false);
  expect(performance.now() - started).toBeLessThan(2000);
  server.stop(true);
  await db.close().catch(() => undefined);
});
