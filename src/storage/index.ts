/**
 * Storage: one database interface over SQLite (`bun:sqlite`) and PostgreSQL
 * (`Bun.SQL`), versioned migrations, and row normalization.
 * @module
 */
export { type BackupOptions, type BackupResult, backupDatabase } from "./backup.ts";
export {
  type Database,
  type DatabaseHealth,
  type Executor,
  type OpenDatabaseOptions,
  openDatabase,
} from "./database.ts";
export { databaseNow } from "./databaseNow.ts";
export {
  isDatabaseUnavailable,
  isStorageError,
  mayHaveCommitted,
  StorageError,
  type StorageErrorKind,
} from "./errors.ts";
export {
  type AppliedMigration,
  type MigrateOptions,
  type MigrationReport,
  migrate,
  type SchemaStatus,
  schemaStatus,
} from "./migrate.ts";
export { MIGRATIONS, type Migration } from "./migrations/index.ts";
export { integerOrNull, type Row } from "./rows.ts";
export { requireCurrentSchema } from "./schemaGate.ts";
export { isUnstorableText } from "./storableText.ts";
export {
  type DatabaseTarget,
  DEFAULT_DATABASE_URL,
  type Dialect,
  describeTarget,
  missingSqliteFile,
  parseDatabaseUrl,
  targetInWords,
} from "./url.ts";
