/**
 * A usable admin for a development server started with no configuration.
 * Every data route needs a token, so `bun run dev` with nothing set would
 * otherwise serve nothing. The password is generated once, written to a
 * file only the owner can read (never to a log), and reused on later starts.
 * It is applied as `ADMIN_PASSWORD` would be, so the file stays the login:
 * after a start with another `ADMIN_PASSWORD`, or a password changed through
 * the API, the next plain start sets the file's password again. (Applied as a
 * hash, a start after an `ADMIN_PASSWORD` run found that hash retired, kept
 * the other password and still pointed at the file.) The price is one argon2
 * verification per development start (~30 ms), after the port is bound.
 * Development only.
 * @module
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Where the generated credentials live, relative to the working directory. */
export const DEV_ADMIN_DIR = "data";
const PASSWORD_FILE = "dev-admin-password";

/** The generated credentials: the password and its file. */
export interface DevAdmin {
  passwordFile: string;
  password: string;
}

const readTrimmed = (path: string): string | undefined => {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, "utf8").trim();
  return text === "" ? undefined : text;
};

/** Returns the stored credentials, generating them on first use. */
export function ensureDevAdmin(dir = DEV_ADMIN_DIR): DevAdmin {
  const passwordFile = join(dir, PASSWORD_FILE);
  const stored = readTrimmed(passwordFile);
  if (stored) return { passwordFile, password: stored };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const password = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64url");
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  chmodSync(passwordFile, 0o600);
  return { passwordFile, password };
}
