/**
 * Applies pending migrations in order, one transaction each, recording them in
 * `schema_migrations`.
 *
 * Safe when several instances start at once: on PostgreSQL every step takes
 * `pg_advisory_xact_lock` first, so one instance applies and the others wait
 * and then find nothing to do; on SQLite `BEGIN IMMEDIATE` serializes writers.
 * Refuses to run (`schema_too_new`) when the database records a migration the
 * code does not know: an older binary must not write to a newer schema.
 * @module
 */
import { type Clock, systemClock } from "../clock/index.ts";
import type { Logger } from "../telemetry/logger.ts";
import type { Database, Executor } from "./database.ts";
import { StorageError } from "./errors.ts";
import { MIGRATIONS, type Migration } from "./migrations/index.ts";

/** An arbitrary fixed key for the migration advisory lock. */
const MIGRATION_LOCK_KEY = 7_311_514_202;

/** One applied migration. */
export interface AppliedMigration {
  id: number;
  name: string;
}

/** What {@link migrate} did. */
export interface MigrationReport {
  /** Migrations applied by this call, in order. */
  applied: AppliedMigration[];
  /** The schema version after the call (highest applied id, 0 for none). */
  version: number;
}

/** Options of {@link migrate}. */
export interface MigrateOptions {
  migrations?: readonly Migration[];
  logger?: Logger;
  clock?: Clock;
}

function checkOrder(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const m of migrations) {
    if (!Number.isInteger(m.id) || m.id <= previous) {
      throw new StorageError(
        "migration_failed",
        `migration ids must ascend (at ${m.id} ${m.name})`,
      );
    }
    previous = m.id;
  }
}

async function prepare(tx: Executor): Promise<number[]> {
  if (tx.dialect === "postgres") await tx.sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
  await tx.unsafe(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at BIGINT NOT NULL
  )`);
  const rows = await tx.sql<{ id: number }>`SELECT id FROM schema_migrations ORDER BY id`;
  return rows.map((r) => Number(r.id));
}

/**
 * Applies every pending migration. Throws a {@link StorageError}
 * (`schema_too_new` or `migration_failed`); a failed migration leaves the
 * schema at the last one that succeeded.
 */
export async function migrate(
  db: Database,
  options: MigrateOptions = {},
): Promise<MigrationReport> {
  const migrations = options.migrations ?? MIGRATIONS;
  const clock = options.clock ?? systemClock;
  checkOrder(migrations);
  const known = new Set(migrations.map((m) => m.id));
  const applied: AppliedMigration[] = [];
  for (;;) {
    const step = await db.transaction(async (tx) => {
      const done = await prepare(tx);
      const unknown = done.filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new StorageError(
          "schema_too_new",
          `the database has migration ${Math.max(...unknown)}, newer than this build knows ` +
            `(${migrations.at(-1)?.id ?? 0}); run a newer build`,
        );
      }
      const doneSet = new Set(done);
      const next = migrations.find((m) => !doneSet.has(m.id));
      if (!next) return { version: done.at(-1) ?? 0, next: undefined };
      try {
        for (const statement of tx.dialect === "sqlite" ? next.sqlite : next.postgres) {
          await tx.unsafe(statement);
        }
      } catch (error) {
        throw new StorageError(
          "migration_failed",
          `migration ${next.id} ${next.name} failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
      await tx.sql`INSERT INTO schema_migrations (id, name, applied_at)
        VALUES (${next.id}, ${next.name}, ${clock.now()})`;
      return { version: next.id, next };
    });
    if (!step.next) return { applied, version: step.version };
    applied.push({ id: step.next.id, name: step.next.name });
    options.logger?.info("migration applied", { id: step.next.id, name: step.next.name });
  }
}

/** How a database's schema compares with the migrations this build knows. */
export interface SchemaStatus {
  /** Highest applied migration id (0 for an empty database). */
  version: number;
  /** Known migrations not yet applied, ascending. */
  pending: number[];
  /** Applied ids this build does not know (a newer schema), ascending. */
  unknown: number[];
}

/**
 * Reads the schema state without changing anything. An empty database (no
 * `schema_migrations` table) is version 0 with everything pending; a
 * connection failure throws instead of looking like an empty database.
 */
export async function schemaStatus(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<SchemaStatus> {
  const exists =
    db.dialect === "sqlite"
      ? await db.sql`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
      : await db.sql`SELECT 1 FROM pg_tables
          WHERE schemaname = current_schema() AND tablename = 'schema_migrations'`;
  const applied =
    exists.length === 0
      ? []
      : (await db.sql<{ id: number }>`SELECT id FROM schema_migrations ORDER BY id`).map((r) =>
          Number(r.id),
        );
  const known = new Set(migrations.map((m) => m.id));
  const done = new Set(applied);
  return {
    version: applied.at(-1) ?? 0,
    pending: migrations.filter((m) => !done.has(m.id)).map((m) => m.id),
    unknown: applied.filter((id) => !known.has(id)),
  };
}
