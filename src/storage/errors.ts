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
