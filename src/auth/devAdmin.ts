/**
 * A usable admin for a development server started with no configuration.
 * Every data route needs a token, so `bun run dev` with nothing set would
 * otherwise serve nothing. The password is generated once, written to a
 * file only the owner can read (never to a log), and reused on later starts;
 * its hash is kept beside it so a start costs no argon2 work. Development only.
 * @module
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashKind, hashPassword } from "./passwords.ts";

/** Where the generated credentials live, relative to the working directory. */
export const DEV_ADMIN_DIR = "data";
const PASSWORD_FILE = "dev-admin-password";
const HASH_FILE = ".dev-admin-password.hash";

/** The generated credentials: the password's file, and the hash to bootstrap with. */
export interface DevAdmin {
  passwordFile: string;
  passwordHash: string;
}

const readTrimmed = (path: string): string | undefined => {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, "utf8").trim();
  return text === "" ? undefined : text;
};

/** Returns the stored credentials, generating them on first use. */
export async function ensureDevAdmin(dir = DEV_ADMIN_DIR): Promise<DevAdmin> {
  const passwordFile = join(dir, PASSWORD_FILE);
  const hashFile = join(dir, HASH_FILE);
  const storedHash = readTrimmed(hashFile);
  if (readTrimmed(passwordFile) && storedHash && hashKind(storedHash) !== "unknown") {
    return { passwordFile, passwordHash: storedHash };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const password =
    readTrimmed(passwordFile) ??
    Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64url");
  const passwordHash = await hashPassword(password);
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  chmodSync(passwordFile, 0o600);
  writeFileSync(hashFile, `${passwordHash}\n`, { mode: 0o600 });
  return { passwordFile, passwordHash };
}
