/**
 * The schema check at start. Development applies pending migrations itself;
 * staging and production refuse to start on a schema that is behind or ahead
 * of this build, so several instances never race a deploy's migration and a
 * rolled-back binary never writes to a schema it does not know. There,
 * `trading-server migrate` (Fly's release command) moves the schema.
 * @module
 */
import type { Clock } from "../clock/index.ts";
import type { Config } from "../config/index.ts";
import type { Logger } from "../telemetry/logger.ts";
import { type Database, openDatabase } from "./database.ts";
import { StorageError } from "./errors.ts";
import { migrate } from "./migrate.ts";
import { MIGRATIONS } from "./migrations/index.ts";

const LATEST = MIGRATIONS.at(-1)?.id ?? 0;

async function schemaVersion(db: Database): Promise<number> {
  try {
    const rows = await db.sql<{
      v: number | string | null;
    }>`SELECT MAX(id) AS v FROM schema_migrations`;
    return Number(rows[0]?.v ?? 0);
  } catch {
    return 0; // no schema_migrations table: an empty database
  }
}

/** Opens the database and makes sure its schema matches this build. */
export async function prepareSchema(
  config: Pick<Config, "DATABASE_URL" | "environment">,
  logger: Logger,
  clock: Clock,
): Promise<Database> {
  const db = await openDatabase(config.DATABASE_URL, { logger });
  try {
    if (config.environment === "development") {
      const report = await migrate(db, { logger, clock });
      if (report.applied.length > 0) {
        logger.info("migrations applied", {
          version: report.version,
          applied: report.applied.length,
        });
      }
      return db;
    }
    const version = await schemaVersion(db);
    if (version < LATEST) {
      throw new StorageError(
        "migration_failed",
        `the database schema is at version ${version}, this build needs ${LATEST}: run \`trading-server migrate\` first`,
      );
    }
    if (version > LATEST) {
      throw new StorageError(
        "schema_too_new",
        `the database schema is at version ${version}, newer than this build (${LATEST})`,
      );
    }
    return db;
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}
