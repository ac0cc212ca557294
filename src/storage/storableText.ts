/**
 * Text the database cannot store faithfully. U+0000: PostgreSQL's text type
 * cannot hold it (the server answers "invalid byte sequence for encoding UTF8:
 * 0x00"); SQLite can. A lone surrogate (`"\ud800"` in JSON): it has no UTF-8
 * form, so the driver writes U+FFFD instead, and two different strings become
 * the same stored value. Both dialects refuse such text before the statement
 * is sent, so they behave alike, and a value no earlier check caught becomes
 * a 400, not a 500 or a silent change (src/http/app.ts).
 * @module
 */
import { StorageError } from "./errors.ts";

/** True when `value` is a string the database cannot store as it is. */
export const isUnstorableText = (value: unknown): boolean =>
  typeof value === "string" && (value.includes("\u0000") || !value.isWellFormed());

/** The error for such a value. */
export const unstorableText = (): StorageError =>
  new StorageError(
    "invalid_text",
    "a text value contains U+0000 or a lone surrogate, which cannot be stored",
  );

/** Throws `StorageError` `invalid_text` when a bound value is such a string. */
export function assertStorable(values: readonly unknown[]): void {
  for (const value of values) if (isUnstorableText(value)) throw unstorableText();
}
