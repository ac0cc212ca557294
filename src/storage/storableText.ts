/**
 * U+0000 in a text value. PostgreSQL's text type cannot hold it (the server
 * answers "invalid byte sequence for encoding UTF8: 0x00"); SQLite can. Both
 * dialects refuse it before the statement is sent, so they behave alike, and a
 * value no earlier check caught becomes a 400, not a 500 (src/http/app.ts).
 * @module
 */
import { StorageError } from "./errors.ts";

/** True when `value` is a string PostgreSQL cannot store. */
export const hasNul = (value: unknown): boolean =>
  typeof value === "string" && value.includes("\u0000");

/** The error for such a value. */
export const unstorableText = (): StorageError =>
  new StorageError("invalid_text", "a text value contains U+0000, which cannot be stored");

/** Throws `StorageError` `invalid_text` when a bound value is a string with U+0000 in it. */
export function assertStorable(values: readonly unknown[]): void {
  for (const value of values) if (hasNul(value)) throw unstorableText();
}
