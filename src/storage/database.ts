/**
 * One database handle over `Bun.SQL` for SQLite and PostgreSQL.
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
 * @module
 */

import { type SQLQueryBindings, Database as SqliteConnection } from "bun:sqlite";
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
// A type import: a value import from "bun" is bound when the binary loads, and reading
// `SQL` loads Bun's whole SQL layer (PostgreSQL adapter included, ~10 ms) at every start.
import type { SQL } from "bun";
import type { Logger } from "../telemetry/logger.ts";
import { StorageError } from "./errors.ts";
import { Mutex } from "./mutex.ts";
import { normalizeRows, type Row } from "./rows.ts";
import { type Dialect, describeTarget, parseDatabaseUrl } from "./url.ts";

/** Runs queries: the database itself or a transaction scope. */
export interface Executor {
  readonly dialect: Dialect;
  /** Tagged-template query; values are bound parameters. Resolves with the rows. */
  sql<T = Row>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]>;
  /**
   * Raw SQL text, for DDL and statements that cannot be a template. With
   * parameters, placeholders are `$1, $2…` on PostgreSQL and `?` on SQLite.
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
   * `bun:sqlite` statement on a separate query-only connection: no per-call
   * prepare (Bun.SQL prepares every query, ~30 µs), no wait behind a running
   * transaction; it sees committed data only, never a transaction in flight.
   * Elsewhere (PostgreSQL, `:memory:`) it is the regular query path.
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
  /** SQLite `busy_timeout` in ms: how long a writer waits for another process's lock (default 5000). */
  busyTimeoutMs?: number;
  /** PostgreSQL pool size (default 10). */
  maxConnections?: number;
}

// Bun's transaction and savepoint handles are SQL instances.
type Tag = SQL;

interface Scope {
  tag: Tag;
  done: boolean;
}

function scopedExecutor(dialect: Dialect, tag: Tag, store: AsyncLocalStorage<Scope>): Executor {
  const self: Executor = {
    dialect,
    sql: async <T>(strings: TemplateStringsArray, ...values: unknown[]) =>
      normalizeRows<T>(await tag(strings, ...values)),
    unsafe: async <T>(text: string, params?: unknown[]) =>
      normalizeRows<T>(await tag.unsafe(text, params)),
    transaction: <T>(fn: (tx: Executor) => Promise<T>) =>
      // `savepoint` exists on transaction handles only; `tag` always is one here.
      (tag as unknown as { savepoint: SQL["begin"] }).savepoint(async (sp: Tag) =>
        runInScope(dialect, sp, store, fn),
      ) as Promise<T>,
  };
  return self;
}

async function runInScope<T>(
  dialect: Dialect,
  tag: Tag,
  store: AsyncLocalStorage<Scope>,
  fn: (tx: Executor) => Promise<T>,
): Promise<T> {
  const scope: Scope = { tag, done: false };
  try {
    return await store.run(scope, () => fn(scopedExecutor(dialect, tag, store)));
  } finally {
    scope.done = true;
  }
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
  const store = new AsyncLocalStorage<Scope>();
  let raw: SQL;
  let mutex: Mutex | undefined;
  if (target.dialect === "sqlite") {
    if (target.filename !== ":memory:") mkdirSync(dirname(target.filename), { recursive: true });
    raw = new Bun.SQL({ adapter: "sqlite", filename: target.filename });
    mutex = new Mutex();
    // busy_timeout first: switching to WAL needs a lock another process may hold.
    await raw.unsafe(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    if (target.filename !== ":memory:") await raw.unsafe("PRAGMA journal_mode = WAL");
    await raw.unsafe("PRAGMA foreign_keys = ON");
    // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
    await raw.unsafe("PRAGMA synchronous = NORMAL");
  } else {
    raw = new Bun.SQL(target.url, {
      bigint: true,
      max: options.maxConnections ?? 10,
      connectionTimeout: 5,
      idleTimeout: 60,
    });
  }
  const dialect = target.dialect;
  let closed = false;
  // Opened on first use: only hot read paths need it. A second connection on the same
  // file is safe in WAL mode (readers never block the writer); :memory: would be another database.
  const readFile =
    target.dialect === "sqlite" && target.filename !== ":memory:" ? target.filename : undefined;
  let reader: SqliteConnection | undefined;
  const readConnection = (): SqliteConnection => {
    if (reader) return reader;
    const conn = new SqliteConnection(readFile, { readwrite: true, create: false });
    try {
      conn.run(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
      conn.run("PRAGMA query_only = ON");
    } catch (err) {
      conn.close();
      throw err;
    }
    reader = conn;
    return conn;
  };

  const guard = <T>(fn: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new StorageError("closed", "the database is closed"));
    return mutex ? mutex.run(fn) : fn();
  };
  const active = () => {
    const scope = store.getStore();
    return scope && !scope.done ? scope : undefined;
  };

  const db: Database = {
    dialect,
    sql: async <T>(strings: TemplateStringsArray, ...values: unknown[]) => {
      const scope = active();
      if (scope) return normalizeRows<T>(await scope.tag(strings, ...values));
      return guard(async () => normalizeRows<T>(await raw(strings, ...values)));
    },
    unsafe: async <T>(text: string, params?: unknown[]) => {
      const scope = active();
      if (scope) return normalizeRows<T>(await scope.tag.unsafe(text, params));
      return guard(async () => normalizeRows<T>(await raw.unsafe(text, params)));
    },
    transaction: <T>(fn: (tx: Executor) => Promise<T>) => {
      const scope = active();
      if (scope) return scopedExecutor(dialect, scope.tag, store).transaction(fn);
      const body = (tx: Tag) => runInScope(dialect, tx, store, fn);
      return guard(
        () => (dialect === "sqlite" ? raw.begin("IMMEDIATE", body) : raw.begin(body)) as Promise<T>,
      );
    },
    prepareRead: <T>(text: string): PreparedRead<T> => {
      if (readFile === undefined) return (...params) => db.unsafe<T>(text, params);
      let statement: ReturnType<SqliteConnection["query"]> | undefined;
      return async (...params) => {
        if (closed) throw new StorageError("closed", "the database is closed");
        statement ??= readConnection().query(text);
        return normalizeRows<T>(statement.all(...params) as Row[]);
      };
    },
    ping: async (timeoutMs = 2000) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<DatabaseHealth>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, state: "timeout" }), timeoutMs);
      });
      const probe = db.sql`SELECT 1 AS ok`.then(
        (): DatabaseHealth => ({ ok: true, state: "ready" }),
        (): DatabaseHealth => ({ ok: false, state: "unavailable" }),
      );
      try {
        return await Promise.race([probe, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => {
      if (closed) return;
      if (mutex) await mutex.run(async () => {});
      closed = true;
      reader?.close();
      await raw.close({ timeout: 5 });
    },
  };
  options.logger?.debug("database opened", describeTarget(target));
  return db;
}
