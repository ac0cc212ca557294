/**
 * `hash-password`: reads a password from stdin (not echoed on a terminal) and
 * prints its argon2id PHC hash, for `ADMIN_PASSWORD_HASH`. The password never
 * appears in any output. On a terminal it is asked twice: a typo nobody sees
 * would otherwise become the break-glass password.
 * @module
 */
import {
  hashPassword,
  hasVisibleCharacter,
  MAX_PASSWORD_BYTES,
  MIN_NEW_PASSWORD_CHARS,
  passwordBytes,
} from "../auth/passwords.ts";
import { type CommandIo, EXIT } from "./io.ts";
import { readSecretInput } from "./readSecretInput.ts";

/** One entry from stdin; undefined, with the reason on stderr, when it cannot be read. */
async function readEntry(prompt: string, io: CommandIo): Promise<string | undefined> {
  try {
    return await readSecretInput(prompt, io.stderr);
  } catch (err) {
    io.stderr(`hash-password: ${err instanceof Error ? err.message : "could not read stdin"}\n`);
    return undefined;
  }
}

/** Runs the command; returns the exit code. */
export async function runHashPassword(args: string[], io: CommandIo): Promise<number> {
  if (args.length > 0) {
    io.stderr("usage: trading-server hash-password   (reads the password from stdin)\n");
    return EXIT.usage;
  }
  const password = await readEntry("Password: ", io);
  if (password === undefined) return EXIT.failure;
  if (password.length === 0) {
    io.stderr("hash-password: the password is empty\n");
    return EXIT.failure;
  }
  // The rule every new password meets (a change, an account an admin creates).
  if (password.length < MIN_NEW_PASSWORD_CHARS) {
    io.stderr(`hash-password: the password is shorter than ${MIN_NEW_PASSWORD_CHARS} characters\n`);
    return EXIT.failure;
  }
  if (!hasVisibleCharacter(password)) {
    io.stderr("hash-password: the password is only whitespace\n");
    return EXIT.failure;
  }
  if (passwordBytes(password) > MAX_PASSWORD_BYTES) {
    // Login refuses longer passwords, so a hash of one could never be used.
    io.stderr(`hash-password: the password is longer than ${MAX_PASSWORD_BYTES} bytes\n`);
    return EXIT.failure;
  }
  if (process.stdin.isTTY) {
    const again = await readEntry("Again: ", io);
    if (again === undefined) return EXIT.failure;
    if (again !== password) {
      io.stderr("hash-password: the two entries differ; nothing was hashed\n");
      return EXIT.failure;
    }
  }
  io.stdout(`${await hashPassword(password)}\n`);
  return EXIT.ok;
}
