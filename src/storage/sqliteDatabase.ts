/**
 * SQLite on `bun:sqlite`: a synchronous driver behind the async
 * {@link Database} interface (see database.ts for the contract).
 *
 * One connection. A statement outside a transaction runs right away when
 * nothing holds the lock, else it queues (FIFO) behind the running
 * transaction: on one connection it would otherwise run inside that
 * transaction and vanish with its rollback. Transactions are `BEGIN IMMEDIATE`
 * (the write lock up front, so two processes never deadlock upgrading a read
 * lock); a nested one is a savepoint; siblings nested in one scope take turns.
 * Another process's lock is waited for asynchronously (sqliteBusy.ts).
 * @module
 */
import { Database as Connection } from "bun:sqlite";
import { AsyncLocalStorage } from "node:async_hooks";
import { closeSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { Database, Executor, OpenDatabaseOptions, PreparedRead } from "./database.ts";
import { StorageError } from "./errors.ts";
import { probeHealth } from "./health.ts";
import { Mutex } from "./mutex.ts";
import { isSqliteBusy, whenUnlocked } from "./sqliteBusy.ts";
import { StatementCache } from "./sqliteStatements.ts";
import { assertStorable } from "./storableText.ts";

/** A transaction or savepoint in progress. */
interface Scope {
  done: boolean;
  /** Serializes savepoints opened directly inside this scope (created on first use). */
  nested?: Mutex;
  /** The outermost transaction this scope belongs to, shared by all its savepoints. */
  root: Root;
}

/** State of one `BEGIN … COMMIT`, shared by the savepoints inside it. */
interface Root {
  /**
   * The error with which SQLite rolled the whole transaction back on its own (SQLITE_FULL,
   * IOERR, NOMEM may): later statements would run in autocommit and stand alone, so they are
   * refused with it, and so is the commit.
   */
  lost?: unknown;
}

const closedError = () => new StorageError("closed", "the database is closed");
const finishedError = () => new StorageError("closed", "the transaction has already finished");

/**
 * Sets the connection up. Switching to WAL needs a lock another process may hold: at open,
 * SQLite's own (blocking) busy wait is fine. Afterwards `busy_timeout` is 0 and statements wait
 * for a lock asynchronously ({@link whenUnlocked}).
 */
function configure(conn: Connection, busyTimeoutMs: number, wal: boolean): void {
  conn.run(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
  if (wal) conn.run("PRAGMA journal_mode = WAL");
  conn.run("PRAGMA foreign_keys = ON");
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
  conn.run("PRAGMA synchronous = NORMAL");
  conn.run("PRAGMA busy_timeout = 0");
}

/** Runs a synchronous step as a promise, a throw becoming a rejection. */
function settle<T>(step: () => T): Promise<T> {
  try {
    return Promise.resolve(step());
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Creates a missing database file readable by its owner only: it holds password hashes and
 * refresh-token digests. SQLite gives the -wal and -shm files the database file's mode. An
 * existing file keeps the mode its operator gave it.
 */
function createPrivately(filename: string): void {
  mkdirSync(dirname(filename), { recursive: true, mode: 0o700 });
  try {
    // Exclusive create: an existing file is not opened here at all (not even for writing).
    closeSync(openSync(filename, "wx", 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
}

/**
 * Whether `path` is an existing directory. Any other answer (missing, a file, a parent that is a
 * file, no permission) is left to the open, whose errors do not echo the path as `stat`'s do.
 */
function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}

/** Opens `filename` (or `:memory:`), creating its parent directory. Throws when it cannot. */
export function openSqliteDatabase(filename: string, options: OpenDatabaseOptions): Database {
  const memory = filename === ":memory:";
  const readOnly = options.readOnly === true && !memory;
  // SQLite's own answer is "unable to open database file", which does not say why.
  if (!memory && isDirectory(filename)) {
    throw new StorageError(
      "unsupported_url",
      "DATABASE_URL names a directory, not a file: add the database file's name",
    );
  }
  if (!memory && !readOnly) createPrivately(filename);
  const busyTimeoutMs = Math.trunc(options.busyTimeoutMs ?? 5000);
  const conn = readOnly
    ? new Connection(filename, { readonly: true })
    : new Connection(filename, { create: true, readwrite: true });
  try {
    configure(conn, busyTimeoutMs, !memory && !readOnly);
  } catch (err) {
    conn.close();
    throw err;
  }
  const statements = new StatementCache(conn);
  const store = new AsyncLocalStorage<Scope>();
  const mutex = new Mutex();
  let closing: Promise<void> | undefined;
  let savepoints = 0;

  const active = (): Scope | undefined => {
    const scope = store.getStore();
    return scope && !scope.done ? scope : undefined;
  };
  /**
   * Runs `step` inside the ambient transaction, or alone on the connection. Alone, a step
   * refused because another process holds the lock waits for it (in turn with this process's
   * other statements, within `busyTimeoutMs` of this call) when `retryable`: one statement,
   * which changed nothing when refused.
   */
  const execute = <T>(step: () => T, retryable = true): Promise<T> => {
    const scope = active();
    if (scope) return inTransaction(scope, step);
    if (closing) return Promise.reject(closedError());
    const waitForLock = () => {
      const deadline = performance.now() + busyTimeoutMs;
      return mutex.run(() => (retryable ? whenUnlocked(step, deadline) : settle(step)));
    };
    if (!mutex.idle) return waitForLock();
    try {
      return Promise.resolve(step());
    } catch (err) {
      return retryable && isSqliteBusy(err) ? waitForLock() : Promise.reject(err);
    }
  };
  const rollback = (statement: string) => {
    // SQLite may have rolled back already (e.g. on SQLITE_FULL); the original error matters more.
    if (!conn.inTransaction) return;
    try {
      conn.run(statement);
    } catch {}
  };

  /**
   * Runs one statement of a transaction. A statement after SQLite rolled the transaction back
   * is refused with the error that did it (see {@link Root.lost}).
   */
  const inTransaction = <T>(scope: Scope, step: () => T): Promise<T> => {
    if (scope.done) return Promise.reject(finishedError());
    if (scope.root.lost !== undefined) return Promise.reject(scope.root.lost);
    try {
      return Promise.resolve(step());
    } catch (err) {
      if (!conn.inTransaction) scope.root.lost = err;
      return Promise.reject(err);
    }
  };
  /** Runs `step` unless the transaction was lost, in which case throws what lost it. */
  const unlessLost = (root: Root, step: () => void) => () => {
    if (root.lost !== undefined) throw root.lost;
    step();
  };

  /** Runs `fn` in `scope`, then `commit`; on a throw from either, `undo` and rethrow. */
  const inScope = async <T>(
    root: Root,
    fn: (tx: Executor) => Promise<T>,
    commit: () => void,
    undo: () => void,
  ): Promise<T> => {
    const scope: Scope = { done: false, root };
    // Savepoints the body started but did not await finish inside this scope first:
    // ending it under them would let their statements run outside any transaction.
    const drain = () => scope.nested?.run(async () => {});
    let result: T;
    try {
      result = await store.run(scope, () => fn(scoped(scope)));
    } catch (err) {
      await drain();
      scope.done = true;
      undo();
      throw err;
    }
    await drain();
    scope.done = true;
    try {
      commit();
    } catch (err) {
      undo();
      throw err;
    }
    return result;
  };
  const savepoint = <T>(parent: Scope, fn: (tx: Executor) => Promise<T>): Promise<T> => {
    if (parent.done) return Promise.reject(finishedError());
    const { root } = parent;
    // SQLite nests a savepoint in whatever is open on the connection: the innermost scope of
    // the caller (an outer `tx` used inside an inner body must not wait for that body).
    const owner = active() ?? parent;
    owner.nested ??= new Mutex();
    return owner.nested.run(() => {
      // Outside a transaction, SAVEPOINT would open a new one that RELEASE commits.
      if (root.lost !== undefined) return Promise.reject(root.lost);
      const name = `sp${++savepoints}`;
      conn.run(`SAVEPOINT ${name}`);
      return inScope(
        root,
        fn,
        unlessLost(root, () => conn.run(`RELEASE ${name}`)),
        () => rollback(`ROLLBACK TO ${name}; RELEASE ${name}`),
      );
    });
  };
  const scoped = (scope: Scope): Executor => ({
    dialect: "sqlite",
    sql: <T>(strings: TemplateStringsArray, ...values: unknown[]) =>
      inTransaction(scope, () => statements.template<T>(strings, values)),
    unsafe: <T>(text: string, params?: unknown[]) =>
      inTransaction(scope, () => statements.unsafe<T>(text, params)),
    transaction: (fn) => savepoint(scope, fn),
  });

  // Opened on first use: only hot read paths need it. A second connection on the same
  // file is safe in WAL mode (readers never block the writer); :memory: would be another database.
  let reader: Connection | undefined;
  const readConnection = (): Connection => {
    if (reader) return reader;
    const conn = readOnly
      ? new Connection(filename, { readonly: true })
      : new Connection(filename, { readwrite: true, create: false });
    try {
      conn.run("PRAGMA query_only = ON");
    } catch (err) {
      conn.close();
      throw err;
    }
    reader = conn;
    return conn;
  };

  const db: Database = {
    dialect: "sqlite",
    sql: <T>(strings: TemplateStringsArray, ...values: unknown[]) =>
      execute(() => statements.template<T>(strings, values)),
    // Without parameters the text may be a script of several statements: one refused halfway
    // has run its first ones, so it is not tried again.
    unsafe: <T>(text: string, params?: unknown[]) =>
      execute(() => statements.unsafe<T>(text, params), (params?.length ?? 0) > 0),
    transaction: <T>(fn: (tx: Executor) => Promise<T>): Promise<T> => {
      const scope = active();
      if (scope) return savepoint(scope, fn);
      if (closing) return Promise.reject(closedError());
      const deadline = performance.now() + busyTimeoutMs;
      return mutex.run(async () => {
        await whenUnlocked(() => conn.run("BEGIN IMMEDIATE"), deadline);
        const root: Root = {};
        return inScope(
          root,
          fn,
          unlessLost(root, () => conn.run("COMMIT")),
          () => rollback("ROLLBACK"),
        );
      });
    },
    prepareRead: <T>(text: string): PreparedRead<T> => {
      let statement: ReturnType<Connection["prepare"]> | undefined;
      if (memory) {
        return (...params) =>
          execute(() => {
            assertStorable(params);
            statement ??= conn.prepare(text);
            return statement.all(...params) as T[];
          });
      }
      return (...params) => {
        if (closing) return Promise.reject(closedError());
        return whenUnlocked(() => {
          assertStorable(params);
          statement ??= readConnection().prepare(text);
          return statement.all(...params) as T[];
        }, performance.now() + busyTimeoutMs);
      };
    },
    ping: (timeoutMs = 2000) => probeHealth(() => db.sql`SELECT 1 AS ok`, timeoutMs),
    close: () => {
      // New work is refused from now on; work already queued runs first (FIFO).
      closing ??= mutex.run(async () => {
        statements.clear();
        reader?.close();
        conn.close();
      });
      return closing;
    },
  };
  return db;
}
