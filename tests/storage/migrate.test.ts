import { expect, test } from "bun:test";
import { join } from "node:path";
import { runMigrate } from "../../src/cli/migrate.ts";
import {
  isStorageError,
  MIGRATIONS,
  type Migration,
  migrate,
  openDatabase,
  schemaStatus,
} from "../../src/storage/index.ts";
import { captureIo } from "../support/captureIo.ts";
import { describeEachDatabase } from "../support/databases.ts";

const ALL_IDS = MIGRATIONS.map((m) => m.id);

async function tableExists(
  db: ReturnType<Parameters<Parameters<typeof describeEachDatabase>[1]>[0]["db"]>,
  name: string,
) {
  const rows =
    db.dialect === "sqlite"
      ? await db.sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ${name}`
      : await db.sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = ${name}`;
  return rows.length === 1;
}

describeEachDatabase(
  "migrate",
  (t) => {
    test("applies every migration once, in order, and records it", async () => {
      const db = t.db();
      const first = await migrate(db);
      expect(first.applied.map((m) => m.id)).toEqual(ALL_IDS);
      expect(first.version).toBe(ALL_IDS.at(-1) as number);
      const second = await migrate(db);
      expect(second.applied).toEqual([]);
      expect(second.version).toBe(first.version);
      const recorded = await db.sql<{ id: number; name: string }>`
        SELECT id, name FROM schema_migrations ORDER BY id`;
      expect(recorded).toEqual(MIGRATIONS.map((m) => ({ id: m.id, name: m.name })));
      for (const table of ["users", "sessions", "refresh_tokens", "settings", "audit_events"]) {
        expect(await tableExists(db, table)).toBe(true);
      }
    });

    test("schemaStatus reports empty, current and newer schemas without changing them", async () => {
      const db = t.db();
      expect(await schemaStatus(db)).toEqual({ version: 0, pending: ALL_IDS, unknown: [] });
      expect(await tableExists(db, "schema_migrations")).toBe(false);
      await migrate(db);
      expect(await schemaStatus(db)).toEqual({
        version: ALL_IDS.at(-1) as number,
        pending: [],
        unknown: [],
      });
      await db.sql`INSERT INTO schema_migrations (id, name, applied_at) VALUES (999, 'future', 1)`;
      expect(await schemaStatus(db)).toEqual({ version: 999, pending: [], unknown: [999] });
    });

    test("refuses a database that has a migration newer than the code", async () => {
      const db = t.db();
      await migrate(db);
      await db.sql`INSERT INTO schema_migrations (id, name, applied_at) VALUES (999, 'future', 1)`;
      const error = await migrate(db).catch((e: unknown) => e);
      expect(isStorageError(error) && error.kind).toBe("schema_too_new");
      const out = captureIo();
      expect(await runMigrate({ DATABASE_URL: t.url() }, out.io)).toBe(1);
      expect(out.stderr()).toContain("newer than this build");
    });

    test("a failing migration rolls back completely and stops", async () => {
      const db = t.db();
      const broken: Migration = {
        id: 100,
        name: "broken",
        sqlite: ["CREATE TABLE half_done (id TEXT)", "THIS IS NOT SQL"],
        postgres: ["CREATE TABLE half_done (id TEXT)", "THIS IS NOT SQL"],
      };
      const after: Migration = {
        id: 101,
        name: "after",
        sqlite: ["CREATE TABLE after_t (id TEXT)"],
        postgres: ["CREATE TABLE after_t (id TEXT)"],
      };
      const error = await migrate(db, { migrations: [...MIGRATIONS, broken, after] }).catch(
        (e: unknown) => e,
      );
      expect(isStorageError(error) && error.kind).toBe("migration_failed");
      expect(await tableExists(db, "half_done")).toBe(false);
      expect(await tableExists(db, "after_t")).toBe(false);
      const [max] = await db.sql<{ v: number }>`SELECT MAX(id) AS v FROM schema_migrations`;
      expect(max?.v).toBe(ALL_IDS.at(-1) as number);
    });

    test("rejects a migration list that does not ascend", async () => {
      const bad = [MIGRATIONS[1], MIGRATIONS[0]] as Migration[];
      const error = await migrate(t.db(), { migrations: bad }).catch((e: unknown) => e);
      expect(isStorageError(error) && error.kind).toBe("migration_failed");
    });

    test("instances starting at once apply each migration exactly once", async () => {
      const fixture = join(import.meta.dir, "fixtures", "migrateOnce.ts");
      const runs = await Promise.all(
        [0, 1, 2].map(async () => {
          const child = Bun.spawn([process.execPath, fixture, t.url()], {
            stdout: "pipe",
            stderr: "pipe",
          });
          const [out, err, code] = await Promise.all([
            new Response(child.stdout).text(),
            new Response(child.stderr).text(),
            child.exited,
          ]);
          if (code !== 0) throw new Error(`instance failed: ${err}`);
          return JSON.parse(out) as number[];
        }),
      );
      expect(runs.flat().sort((a, b) => a - b)).toEqual(ALL_IDS);
      const recorded = await t.db().sql<{
        id: number;
      }>`SELECT id FROM schema_migrations ORDER BY id`;
      expect(recorded.map((r) => r.id)).toEqual(ALL_IDS);
    });

    test("the migrate command prints what it applied", async () => {
      const out = captureIo();
      expect(await runMigrate({ DATABASE_URL: t.url() }, out.io)).toBe(0);
      expect(out.stdout()).toContain("applied migration 001 auth");
      expect(out.stdout()).toContain(`version ${ALL_IDS.at(-1)}`);
      const again = captureIo();
      expect(await runMigrate({ DATABASE_URL: t.url() }, again.io)).toBe(0);
      expect(again.stdout()).toContain("up to date");
    });
  },
  { migrate: false, fresh: "test" },
);

test("schemaStatus throws when the database cannot be reached (not 'empty')", async () => {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  const db = await openDatabase(`postgres://u@127.0.0.1:${port}/x`);
  await expect(schemaStatus(db)).rejects.toThrow();
  await db.close().catch(() => undefined);
});

test("the migrate command fails cleanly on a bad URL without echoing it", async () => {
  const out = captureIo();
  expect(await runMigrate({ DATABASE_URL: "mysql://root:hunter2@db/x" }, out.io)).toBe(1);
  expect(out.stderr()).toContain("DATABASE_URL must be");
  expect(out.stderr() + out.stdout()).not.toContain("hunter2");
});

test("the migrate command does not print the password of an unreachable PostgreSQL", async () => {
  // A port that was free a moment ago: the connection is refused at once.
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  const out = captureIo();
  const code = await runMigrate(
    { DATABASE_URL: `postgres://app:s3cr3t-pw@127.0.0.1:${port}/x` },
    out.io,
  );
  expect(code).toBe(1);
  expect(out.stderr()).toStartWith("migrate: ");
  expect(out.stderr() + out.stdout()).not.toContain("s3cr3t-pw");
});
