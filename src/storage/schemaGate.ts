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
import { migrate, type SchemaStatus, schemaStatus } from "./migrate.ts";
import { missingSqliteFile } from "./url.ts";

/**
 * The server's deadline for a PostgreSQL query or transaction: far above a healthy
 * one (a few ms), well below the 10 s after which Bun drops an idle client.
 */
export const SERVE_QUERY_TIMEOUT_MS = 5_000;

/** Opens the database and makes sure its schema matches this build. */
export async function prepareSchema(
  config: Pick<Config, "DATABASE_URL" | "environment">,
  logger: Logger,
  clock: Clock,
): Promise<Database> {
  if (config.environment !== "development") {
    // Only `migrate` creates a database here: a mistyped path must not leave an empty file
    // behind on its way to "migrations pending".
    const missing = missingSqliteFile(config.DATABASE_URL);
    if (missing !== undefined) {
      throw new StorageError(
        "migration_failed",
        `no SQLite database at ${missing}: run \`trading-server migrate\` first (it creates it)`,
      );
    }
  }
  const db = await openDatabase(config.DATABASE_URL, {
    logger,
    queryTimeoutMs: SERVE_QUERY_TIMEOUT_MS,
  });
  try {
    const status = await schemaStatus(db);
    // Development migrates itself — but only when there is something to do:
    // migrate() takes write locks, and an up-to-date start should not wait.
    if (config.environment === "development" && status.pending.length > 0) {
      const report = await migrate(db, { logger, clock });
      if (report.applied.length > 0) {
        logger.info("migrations applied", {
          version: report.version,
          applied: report.applied.length,
        });
      }
      return db;
    }
    refuseMismatch(status);
    return db;
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

/**
 * Throws unless the schema of `db` is exactly the one this build knows: a
 * newer one (`schema_too_new`) or one with migrations pending. For commands
 * that write outside the migrations (`revoke-all`), as `serve` does.
 */
export async function requireCurrentSchema(db: Database): Promise<void> {
  refuseMismatch(await schemaStatus(db));
}

function refuseMismatch(status: SchemaStatus): void {
  if (status.unknown.length > 0) {
    throw new StorageError(
      "schema_too_new",
      `the database schema is at version ${status.version}, newer than this build knows`,
    );
  }
  if (status.pending.length > 0) {
    throw new StorageError(
      "migration_failed",
      // A restored backup under rollback also lands here: migrating it would undo the rollback.
      `the database schema is at version ${status.version}, older than this build's ${status.pending.at(-1)}: run \`trading-server migrate\` first, or, rolling back, use the binary of that schema`,
    );
  }
}
