/**
 * Errors of the audit log.
 * @module
 */

/** Why an audit operation was refused. */
export type AuditErrorKind = "invalid_event" | "invalid_query";

/** A refused audit operation (bad event or query input); never a storage failure. */
export class AuditError extends Error {
  readonly isAuditError = true;
  override readonly name = "AuditError";
  constructor(
    readonly kind: AuditErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Type guard for {@link AuditError}. */
export function isAuditError(error: unknown): error is AuditError {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as { isAuditError?: unknown }).isAuditError === true
  );
}
