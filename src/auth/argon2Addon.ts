/**
 * Loading the argon2 native addon. In the compiled binary Bun extracts it into
 * `$TMPDIR` on first use; a missing, read-only or `noexec` directory makes the
 * load fail with the addon loader's own message (an npm bug report link and
 * hundreds of lines of bundled source). This names the real cause instead.
 * @module
 */
type Argon2 = typeof import("@node-rs/argon2");
let loaded: Argon2 | undefined;
/** Remembered: in the compiled binary a second `require` of a failed addon returns `{}`. */
let failure: Argon2UnavailableError | undefined;

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
  if (failure) throw failure;
  let module: Partial<Argon2> | undefined;
  try {
    module = require("@node-rs/argon2") as Partial<Argon2>;
  } catch {
    module = undefined;
  }
  if (typeof module?.hash !== "function" || typeof module.verify !== "function") {
    failure = new Argon2UnavailableError(
      `cannot load the argon2 addon: Bun extracts it into TMPDIR (${process.env.TMPDIR || "/tmp"}), which must exist, be writable and allow exec (docs/deploy.md)`,
    );
    throw failure;
  }
  loaded = module as Argon2;
  return loaded;
}
