/**
 * Admin bootstrap checks (admin.*): no plain password outside development, a
 * well-formed hash in staging/production that does not verify a well-known
 * password, a non-default account name, and sane hash costs.
 * @module
 */
import { isArgon2UnavailableError } from "../auth/argon2Addon.ts";
import { usernameProblem } from "../auth/usernamePolicy.ts";
import { isKnownSecret } from "./knownSecrets.ts";
import {
  isVerifiable,
  KNOWN_PASSWORDS,
  type ParsedHash,
  parsePasswordHash,
  VERIFY_CAPS,
  verifiesAnyOf,
} from "./passwordHash.ts";
import { isPlaceholder, isTemplated } from "./secretStrength.ts";
import type { CheckInput, FindingList } from "./types.ts";

const DEFAULT_ACCOUNTS = new Set(["admin", "root", "sa", "administrator"]);
const HASH_HINT =
  "Create one with `trading-server hash-password` (argon2id) and set ADMIN_PASSWORD_HASH.";
/** ASVS 6.2.1 recommends at least 15 characters for a password that is not protected by MFA. */
const MIN_ADMIN_PASSWORD_LENGTH = 15;

/** Runs admin.001, 002, 004, 005, 006 and 007; returns the parsed hash for admin.003. */
export function checkAdminConfig(input: CheckInput, out: FindingList): ParsedHash | undefined {
  const password = input.get("ADMIN_PASSWORD");
  if (password !== undefined) {
    out.add({
      id: "admin.001",
      levels: "E/W/I",
      variable: "ADMIN_PASSWORD",
      message:
        input.environment === "development"
          ? "is a plain-text password (accepted in development only)"
          : "is a plain-text password in the environment; only a hash is allowed here",
      hint: `Unset ADMIN_PASSWORD. ${HASH_HINT}`,
    });
    const weak =
      isKnownSecret(password) ||
      isTemplated(password) ||
      isPlaceholder(password) ||
      Array.from(password).length < MIN_ADMIN_PASSWORD_LENGTH;
    if (weak) {
      out.add({
        id: "admin.005",
        levels: "-/W/I",
        variable: "ADMIN_PASSWORD",
        message: `is weak: known, a placeholder, or under ${MIN_ADMIN_PASSWORD_LENGTH} characters`,
        hint: "Use a long random passphrase, even for development.",
      });
    }
  }

  const username = (input.get("ADMIN_USERNAME") ?? "admin").trim().normalize("NFC").toLowerCase();
  if (DEFAULT_ACCOUNTS.has(username)) {
    out.add({
      id: "admin.004",
      levels: "W/W/-",
      variable: "ADMIN_USERNAME",
      message: "is a default account name that attackers try first (ASVS 6.3.2)",
      hint: "Set ADMIN_USERNAME to a personal, non-obvious name.",
    });
  }

  const rawName = input.get("ADMIN_USERNAME");
  const nameProblem = rawName === undefined ? undefined : usernameProblem(rawName);
  if (nameProblem !== undefined) {
    // A warning, not an error: an admin created before the policy keeps working, and only
    // creating a new one is refused (auth/bootstrap.ts). The check cannot tell which it is.
    out.add({
      id: "admin.007",
      levels: "W/W/W",
      variable: "ADMIN_USERNAME",
      message: `${nameProblem}; serve refuses to create a new admin with this name`,
      hint: "Use a plain name in one script, without invisible or fullwidth characters.",
    });
  }

  const hash = input.get("ADMIN_PASSWORD_HASH");
  if (hash === undefined) {
    out.add({
      id: "admin.002",
      levels: "E/E/-",
      variable: "ADMIN_PASSWORD_HASH",
      message: "is required: the admin account needs a password hash",
      hint: HASH_HINT,
    });
    return undefined;
  }
  const parsed = parsePasswordHash(hash);
  if (parsed === undefined) {
    const mangled = shellExpanded(hash);
    out.add({
      id: "admin.002",
      levels: "E/E/W",
      variable: "ADMIN_PASSWORD_HASH",
      message: mangled
        ? "is not a hash any more: a shell expanded its `$` parts (`. env` of an unquoted value)"
        : "is not a well-formed argon2id (PHC) or bcrypt ($2a$/$2b$/$2y$) hash the server can verify",
      hint: mangled
        ? "Single-quote the value in the env file (ADMIN_PASSWORD_HASH='$argon2id$…'): systemd and POSIX shells strip the quotes (docker run --env-file does not: unquoted there, and never sourced by a shell)."
        : HASH_HINT,
    });
    return undefined;
  }
  checkHashCost(parsed, out);
  return parsed;
}

/**
 * What a shell leaves of an unquoted hash: unset variables expand to nothing, so
 * `$argon2id$v=19$m=…,t=2,p=1$salt$digest` becomes `=19=19456,t=2,p=1`, and `$2b$12$R9h/cIPz…`
 * becomes `b2/cIPz…` (the digest's leading letters were a variable's name; `$0` of cost `04` is
 * the shell's own name, `bbash4…`). Only the message depends on it.
 */
function shellExpanded(value: string): boolean {
  if (value.includes("$")) return false;
  return /m?=\d+,t=\d+,p=\d+/.test(value) || /^[aby](?:\d|-?(?:ba|da|z)?sh\d)/.test(value);
}

/** argon2-cffi, libsodium, Bun and node-rs write 32 bytes by default; RFC 9106 suggests 16 or more. */
const MIN_USUAL_DIGEST_BYTES = 16;

function checkHashCost(parsed: ParsedHash, out: FindingList): void {
  if (!isVerifiable(parsed)) {
    // Above the caps the server never verifies it: each login attempt, anyone's, would cost
    // seconds or gigabytes (one took 10 GB and rising). `serve` refuses it, silenced or not.
    out.add({
      id: "admin.008",
      levels: "E/E/E",
      variable: "ADMIN_PASSWORD_HASH",
      message: `costs more than the server verifies (argon2 m ≤ ${VERIFY_CAPS.argon2MemoryKiB} KiB and t ≤ ${VERIFY_CAPS.argon2Time}, bcrypt cost ≤ ${VERIFY_CAPS.bcryptCost}): no login could use it`,
      hint: HASH_HINT,
    });
  }
  if (parsed.kind === "argon2" && parsed.digestBytes < MIN_USUAL_DIGEST_BYTES) {
    out.add({
      id: "admin.006",
      levels: "W/W/-",
      variable: "ADMIN_PASSWORD_HASH",
      message: `has a ${parsed.digestBytes}-byte digest, shorter than hashers write (16 bytes or more): probably cut off in copying, and then no password verifies`,
      hint: HASH_HINT,
    });
  }
  // OWASP Password Storage Cheat Sheet minimums: argon2id m=19456 KiB, t=2; bcrypt cost 10.
  const weak =
    parsed.kind === "bcrypt" ? parsed.cost < 10 : parsed.memoryKiB < 19_456 || parsed.time < 2;
  if (!weak) return;
  out.add({
    id: "admin.006",
    levels: "W/W/-",
    variable: "ADMIN_PASSWORD_HASH",
    message:
      parsed.kind === "bcrypt"
        ? "uses a bcrypt cost below 10"
        : "is not argon2id with at least m=19456 KiB and t=2",
    hint: HASH_HINT,
  });
}

/** admin.003: the hash verifies a well-known password (or the account name itself); admin.009 when it cannot be tried. */
export async function checkAdminHashKnown(
  input: CheckInput,
  parsed: ParsedHash,
  out: FindingList,
): Promise<void> {
  const hash = input.get("ADMIN_PASSWORD_HASH");
  if (hash === undefined || !isVerifiable(parsed)) return;
  const username = input.get("ADMIN_USERNAME")?.trim() ?? "admin";
  const candidates = KNOWN_PASSWORDS.includes(username)
    ? KNOWN_PASSWORDS
    : [...KNOWN_PASSWORDS, username];
  let known: boolean;
  try {
    known = await verifiesAnyOf(hash, parsed, candidates);
  } catch (err) {
    if (!isArgon2UnavailableError(err)) throw err;
    // Said as a finding: `--format json` prints its one document. Its own ID, so silencing
    // admin.003 does not hide it; serve refuses it silenced or not (contractRefusal).
    out.add({
      id: "admin.009",
      levels: "E/E/E",
      variable: "ADMIN_PASSWORD_HASH",
      message: "could not be checked: the argon2 addon did not load (Bun extracts it into TMPDIR)",
      hint: "Point TMPDIR at an existing, writable directory that allows exec (docs/deploy.md).",
    });
    return;
  }
  if (!known) return;
  out.add({
    id: "admin.003",
    levels: "C/E/W",
    variable: "ADMIN_PASSWORD_HASH",
    message: "is the hash of a well-known password (or of the account name)",
    hint: `Choose a new password. ${HASH_HINT}`,
  });
}
