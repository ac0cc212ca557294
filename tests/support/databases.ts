/**
 * Runs a suite once per database backend: SQLite (a fresh file in a temp dir)
 * and PostgreSQL (a fresh database in the throwaway cluster of
 * tests/support/postgres.ts). The PostgreSQL half fails loudly when the
 * binaries are missing, unless `SKIP_POSTGRES=1`.
 *
 * ```ts
 * describeEachDatabase("users", (t) => {
 *   test("creates", async () => { await t.db().sql`SELECT 1`; });
 * });
 * ```
 * @module
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Database, migrate, openDatabase } from "../../src/storage/index.ts";
import { createTestDatabase, dropTestDatabase, postgresSkipped } from "./postgres.ts";

/** The backends every storage-backed suite runs on. */
export const BACKENDS = ["sqlite", "postgres"] as const;
/** One backend. */
export type Backend = (typeof BACKENDS)[number];

/** Handles a suite body gets. Call them inside hooks and tests, not at collection time. */
export interface DatabaseTestContext {
  readonly backend: Backend;
  /** The suite's (or, with `fresh: "test"`, the test's) migrated database. */
  db(): Database;
  /** Its URL, e.g. to run a CLI command against it. */
  url(): string;
  /** Opens another handle on the same database: a second server instance. Closed after the suite. */
  openAnother(): Promise<Database>;
}

/** Options of {@link describeEachDatabase}. */
export interface DescribeEachDatabaseOptions {
  /** Run the migrations before the tests (default true). */
  migrate?: boolean;
  /** A new database per suite (default) or per test. */
  fresh?: "suite" | "test";
}

let migratedTemplate: Promise<string> | undefined;

/** A migrated PostgreSQL database, built once per process, that fresh databases are copied from. */
function postgresTemplate(): Promise<string> {
  migratedTemplate ??= (async () => {
    const url = await createTestDatabase();
    const db = await openDatabase(url);
    await migrate(db);
    await db.close();
    return url;
  })();
  return migratedTemplate;
}

/** Creates an empty database on `backend` and returns its URL plus a disposer. */
export async function createEmptyDatabase(
  backend: Backend,
): Promise<{ url: string; dispose(): Promise<void> }> {
  if (backend === "postgres") {
    const url = await createTestDatabase();
    return { url, dispose: () => dropTestDatabase(url) };
  }
  const dir = mkdtempSync(join(tmpdir(), "ts-sqlite-"));
  return {
    url: `sqlite://${join(dir, "test.db")}`,
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function createMigratedPostgres(): Promise<{ url: string; dispose(): Promise<void> }> {
  const url = await createTestDatabase({ template: await postgresTemplate() });
  // Dropping takes a checkpoint (~150 ms); let it overlap with the next test.
  return { url, dispose: async () => void dropTestDatabase(url).catch(() => undefined) };
}

/** Declares `describe("<name> [<backend>]")` for each backend. */
export function describeEachDatabase(
  name: string,
  body: (t: DatabaseTestContext) => void,
  options: DescribeEachDatabaseOptions = {},
): void {
  for (const backend of BACKENDS) {
    const title = `${name} [${backend}]`;
    if (backend === "postgres" && postgresSkipped) {
      describe.skip(title, () => body(placeholder(backend)));
      continue;
    }
    describe(title, () => {
      let current: { url: string; dispose(): Promise<void>; db: Database } | undefined;
      let extra: Database[] = [];
      const setUp = async () => {
        const made =
          backend === "postgres" && options.migrate !== false
            ? await createMigratedPostgres()
            : await createEmptyDatabase(backend);
        const db = await openDatabase(made.url);
        // Migrating again is a no-op for the copied template but proves it is current.
        if (options.migrate !== false) await migrate(db);
        current = { ...made, db };
      };
      const tearDown = async () => {
        const done = current;
        current = undefined;
        for (const other of extra) await other.close();
        extra = [];
        if (!done) return;
        await done.db.close();
        await done.dispose();
      };
      if (options.fresh === "test") {
        beforeEach(setUp);
        afterEach(tearDown);
      } else {
        beforeAll(setUp);
        afterAll(tearDown);
      }
      const need = () => {
        if (!current) throw new Error("database used outside a test or hook");
        return current;
      };
      body({
        backend,
        db: () => need().db,
        url: () => need().url,
        openAnother: async () => {
          const other = await openDatabase(need().url);
          extra.push(other);
          return other;
        },
      });
    });
  }
}

function placeholder(backend: Backend): DatabaseTestContext {
  const fail = (): never => {
    throw new Error("PostgreSQL suites are skipped (SKIP_POSTGRES=1)");
  };
  return { backend, db: fail, url: fail, openAnother: fail };
}
