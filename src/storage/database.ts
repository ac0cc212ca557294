/**
 * One database handle for SQLite and PostgreSQL.
 *
 * Queries are tagged templates (`db.sql\`SELECT … WHERE id = ${id}\``): every
 * interpolated value is a bound parameter. Rows come back as plain objects with
 * BIGINT values as numbers on both dialects.
 *
 * A transaction is ambient: inside `db.transaction(fn)`, every query issued
 * through `db` (or the `tx` handed to `fn`) from that async context joins the
 * transaction, and a nested `transaction` becomes a savepoint. So a feature
 * can call `audit.append(…)` inside its own transaction and both commit or
 * roll back together, and on SQLite (one connection) nested use cannot
 * deadlock on the serialization lock.
 *
 * SQLite runs on `bun:sqlite` directly (sqliteDatabase.ts), PostgreSQL on
 * `Bun.SQL` (postgresDatabase.ts), read only when a PostgreSQL URL is opened:
 * reading it loads Bun's whole SQL layer, ~10 ms of every start.
 * @module
 */

import type { SQLQueryBindings } from "bun:sqlite";
import type { Logger } from "../telemetry/logger.ts";
import { openPostgresDatabase } from "./postgresDatabase.ts";
import type { Row } from "./rows.ts";
import { openSqliteDatabase } from "./sqliteDatabase.ts";
import { type Dialect, describeTarget, parseDatabaseUrl } from "./url.ts";

/** Runs queries: the database itself or a transaction scope. */
export interface Executor {
  readonly dialect: Dialect;
  /** Tagged-template query; values are bound parameters. Resolves with the rows. */
  sql<T = Row>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]>;
  /**
   * Raw SQL text, for DDL and statements that cannot be a template. With
   * parameters, placeholders are `$1, $2…` on PostgreSQL and `?` on SQLite.
   * On SQLite, text without parameters may be a script, so it is never tried
   * again: outside a transaction it fails at once with `SQLITE_BUSY` while
   * another process holds the write lock. Run such text in {@link transaction}.
   */
  unsafe<T = Row>(text: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs `fn` in a transaction (a savepoint when already inside one): commit
   * when it resolves, roll back when it throws. On SQLite the transaction
   * starts with `BEGIN IMMEDIATE`, taking the write lock up front.
   */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
}

/** Database health for `/readyz` and the admin status route. */
export interface DatabaseHealth {
  ok: boolean;
  state: "ready" | "unavailable" | "timeout";
}

/** A read query prepared once by {@link Database.prepareRead}; each call binds `params` in order. */
export type PreparedRead<T> = (...params: SQLQueryBindings[]) => Promise<T[]>;

/** An open database. */
export interface Database extends Executor {
  /**
   * Prepares a hot read-only query once (placeholders `$1, $2…` on both
   * dialects) for per-request lookups. On a SQLite file it is a cached
   * statement on a separate query-only connection: no wait behind a running
   * transaction; it sees committed data only, never a transaction in flight.
   * On `:memory:` it is a cached statement on the one connection; on
   * PostgreSQL the regular query path.
   */
  prepareRead<T = Row>(text: string): PreparedRead<T>;
  /** Answers within `timeoutMs` (default 2000) whether a trivial query succeeds; never throws. */
  ping(timeoutMs?: number): Promise<DatabaseHealth>;
  /** Waits for running work (bounded) and closes the connections. */
  close(): Promise<void>;
}

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  logger?: Logger;
  /**
   * SQLite: how long, in ms, a statement waits for another process's lock before it fails with
   * `SQLITE_BUSY` (default 5000). The wait is asynchronous; at open, SQLite's own busy wait.
   */
  busyTimeoutMs?: number;
  /**
   * SQLite: open the file read-only, for commands that only read (`audit verify`): a missing file
   * is an error, not created; the journal mode is left as it is (no switch to WAL); every write
   * fails. A read-only copy of a database can then be checked. PostgreSQL ignores it.
   */
  readOnly?: boolean;
  /** PostgreSQL pool size (default 10). */
  maxConnections?: number;
  /**
   * PostgreSQL: the longest a query or transaction may take before it fails with
   * StorageError `timeout` (undefined: no limit, for migrations and CLI commands).
   * A stalled server must turn into a prompt 503, not requests hanging until the
   * client gives up.
   */
  queryTimeoutMs?: number;
}

/**
 * Opens `url` (`sqlite://path`, `sqlite://:memory:`, `postgres://…`). SQLite:
 * creates the parent directory, WAL, `busy_timeout`, foreign keys on.
 * PostgreSQL: a lazy pool (first query connects), BIGINT as numbers.
 */
export async function openDatabase(
  url: string,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  const target = parseDatabaseUrl(url);
  const db =
    target.dialect === "sqlite"
      ? openSqliteDatabase(target.filename, options)
      : openPostgresDatabase(target.url, options);
  options.logger?.debug("database opened", describeTarget(target));
  return db;
}
