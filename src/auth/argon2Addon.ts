/**
 * Loading the argon2 native addon. In the compiled binary Bun extracts it into
 * `$TMPDIR` on first use; a missing, read-only or `noexec` directory makes the
 * load fail with the addon loader's own message (an npm bug report link and
 * hundreds of lines of bundled source). This names the real cause instead.
 * @module
 */
type Argon2 = typeof import("@node-rs/argon2");
let loaded: Argon2 | undefined;

/** The addon could not be loaded: passwords can be neither hashed nor verified. */
export class Argon2UnavailableError extends Error {
  readonly isArgon2UnavailableError = true;
  override readonly name = "Argon2UnavailableError";
}

/** True when `e` is an {@link Argon2UnavailableError}. */
export const isArgon2UnavailableError = (e: unknown): e is Argon2UnavailableError =>
  typeof e === "object" &&
  e !== null &&
  (e as { isArgon2UnavailableError?: unknown }).isArgon2UnavailableError === true;

/**
 * The argon2 addon, loaded on first use: its `dlopen` (and, in the compiled
 * binary, its extraction) costs ~5 ms that a start-up without a login does not
 * need. A synchronous `require`, so callers can stay synchronous.
 */
export function argon2Addon(): Argon2 {
  if (loaded) return loaded;
  try {
    loaded = require("@node-rs/argon2") as Argon2;
  } catch {
    throw new Argon2UnavailableError(
      `cannot load the argon2 addon: Bun extracts it into TMPDIR (${process.env.TMPDIR || "/tmp"}), which must exist, be writable and allow exec (docs/deploy.md)`,
    );
  }
  return loaded;
}
