/**
 * Errors of the storage layer. Messages never contain a connection string or
 * a credential: the URL may carry a password.
 * @module
 */

/** Why a storage operation failed. */
export type StorageErrorKind =
  | "unsupported_url"
  | "closed"
  | "migration_failed"
  | "schema_too_new"
  | "timeout"
  /** A transaction's COMMIT did not answer in time: it may or may not have committed. */
  | "commit_unknown"
  /** A text value holds U+0000, which PostgreSQL cannot store (storableText.ts). */
  | "invalid_text"
  | "backup_failed";

/** A failure of the storage layer with a machine-readable kind. */
export class StorageError extends Error {
  readonly isStorageError = true;
  override readonly name = "StorageError";
  constructor(
    readonly kind: StorageErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Type guard for {@link StorageError}. */
export function isStorageError(error: unknown): error is StorageError {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as { isStorageError?: unknown }).isStorageError === true
  );
}

/**
 * Connection-level failure codes of Bun's PostgreSQL client and the socket under
 * it, and SQLite's conditions of the file rather than the query: another process
 * holds the lock (once its wait ran out), the disk is full, an I/O error, the
 * file became read-only or cannot be opened, memory ran out, a WAL lock race.
 * The refused statement changed nothing; SQLite may have rolled its whole
 * transaction back too, and then refuses the rest of it (sqliteDatabase.ts).
 */
const UNAVAILABLE_CODE =
  /^(ERR_POSTGRES_(CONNECTION|IDLE_TIMEOUT|LIFETIME_TIMEOUT)|ECONNREFUSED|ECONNRESET|ETIMEDOUT|SQLITE_(BUSY|FULL|IOERR|READONLY|CANTOPEN|NOMEM|PROTOCOL))/;

/**
 * SQLSTATEs (Bun: `code` ERR_POSTGRES_SERVER_ERROR, the state in `errno`) that are about the
 * server, not the query: class 08 connection exception, 53 insufficient resources (too many
 * connections, out of memory, disk full), 57 operator intervention (a shutdown or restart in
 * progress: 57P01–57P03; a cancelled statement: 57014), a transaction the server aborted to
 * resolve a conflict (40001 serialization failure, 40P01 deadlock), which may succeed if run
 * again, and a connection the server refused to log in: class 28 (a wrong password after a
 * rotation, a role that may not log in) and 3D000 (the database does not exist). Those had
 * answered every request with 500 `internal` and an `error` line each (a drill); they are an
 * outage of the database for this server, fixed by its operator, not a bug in a query.
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57|28)[0-9A-Z]{3}$|^40(001|P01)$|^3D000$/;

/**
 * True when `error` says the database cannot be reached or did not answer in
 * time (a deadline, a closed pool, a refused or dropped connection, a server
 * restarting or out of connections): an outage to answer with 503, not a bug
 * to answer with 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (isStorageError(error)) {
    return error.kind === "timeout" || error.kind === "closed" || error.kind === "commit_unknown";
  }
  const { code, errno } = (error ?? {}) as { code?: unknown; errno?: unknown };
  if (code === "ERR_POSTGRES_SERVER_ERROR") {
    return typeof errno === "string" && UNAVAILABLE_SQLSTATE.test(errno);
  }
  return typeof code === "string" && UNAVAILABLE_CODE.test(code);
}

/** Lost-connection errors: the server may have received (and run) what was in flight. */
const LOST_CONNECTION_CODE =
  /^(ERR_POSTGRES_(CONNECTION_CLOSED|IDLE_TIMEOUT|LIFETIME_TIMEOUT)|ECONNRESET|EPIPE)$/;
const LOST_CONNECTION_SQLSTATE = /^08[0-9A-Z]{3}$|^57P0[1-3]$/;

/**
 * True when a failed transaction may still have committed: its COMMIT went unanswered
 * (`commit_unknown`), or the connection was lost, which can happen while COMMIT is in flight.
 * Any other failure was answered, and the transaction rolled back.
 */
export function mayHaveCommitted(error: unknown): boolean {
  if (isStorageError(error)) return error.kind === "commit_unknown";
  const { code, errno } = (error ?? {}) as { code?: unknown; errno?: unknown };
  if (code === "ERR_POSTGRES_SERVER_ERROR") {
    return typeof errno === "string" && LOST_CONNECTION_SQLSTATE.test(errno);
  }
  return typeof code === "string" && LOST_CONNECTION_CODE.test(code);
}
