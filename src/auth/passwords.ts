/**
 * Password hashing: argon2id for everything new, legacy bcrypt (passlib,
 * libxcrypt) accepted for verification only and upgraded after a good login.
 * @module
 */
import { isVerifiable, parsePasswordHash } from "../security/passwordHash.ts";
import { argon2Addon as argon2, isArgon2UnavailableError } from "./argon2Addon.ts";

/** OWASP baseline argon2id parameters (DESIGN §2). */
export const ARGON2_POLICY = {
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
  // Algorithm.Argon2id; the enum is `const` in the .d.ts, which isolated modules cannot inline.
  algorithm: 2,
} as const;

/** Longest password accepted, in UTF-8 bytes (an outer bound against hashing huge inputs). */
export const MAX_PASSWORD_BYTES = 1024;
/** Shortest new password (a change, a created account, `hash-password`), in UTF-16 units as zod counts. */
export const MIN_NEW_PASSWORD_CHARS = 8;

/** A character that shows: not whitespace, a control, a format or other invisible character. */
const VISIBLE = /[^\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/u;

/**
 * Whether a new password has something besides whitespace and invisible characters: eight
 * spaces (or zero-width spaces) met the length rule and are the first thing a guesser tries
 * after the empty password (a CLI probe). Spaces inside a passphrase are fine.
 */
export const hasVisibleCharacter = (password: string): boolean => VISIBLE.test(password);

/** bcrypt only hashes the first 72 bytes; passlib and libxcrypt truncate silently. */
const BCRYPT_MAX_BYTES = 72;

const BCRYPT_PREFIX = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const ARGON2ID_PREFIX = /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

const utf8 = new TextEncoder();

/** The kind of a stored hash, by its prefix; `unknown` never verifies. */
export type HashKind = "argon2id" | "bcrypt" | "unknown";

/** Classifies a stored hash by its format. */
export function hashKind(stored: string): HashKind {
  if (ARGON2ID_PREFIX.test(stored)) return "argon2id";
  if (BCRYPT_PREFIX.test(stored)) return "bcrypt";
  return "unknown";
}

/** Hashes `password` with argon2id at the policy parameters; returns a PHC string. */
export async function hashPassword(password: string): Promise<string> {
  // async: a missing addon rejects (callers attach .catch) instead of throwing at the call.
  return argon2().hash(password, ARGON2_POLICY);
}

/** Parameters of a hash that is not at the policy (for timing decoys only). */
export type HashParameters =
  | { kind: "bcrypt"; cost: number }
  | { kind: "argon2id"; memoryCost: number; timeCost: number; parallelism: number };

/** Hashes `password` with the given parameters: never for a stored password, only decoys. */
export async function hashWithParameters(password: string, p: HashParameters): Promise<string> {
  if (p.kind === "bcrypt")
    return Bun.password.hash(password, { algorithm: "bcrypt", cost: p.cost });
  const { memoryCost, timeCost, parallelism } = p;
  return argon2().hash(password, { ...ARGON2_POLICY, memoryCost, timeCost, parallelism });
}

/**
 * Verifies `password` against a stored argon2id or bcrypt hash. A malformed
 * or unsupported hash is a mismatch, never an exception: login must fail the
 * same way whatever is stored.
 */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  // Above the caps, never run: one unauthenticated login against m=4294967295 took 10 GB and rising.
  const parsed = parsePasswordHash(stored);
  if (parsed && !isVerifiable(parsed)) return false;
  try {
    switch (hashKind(stored)) {
      case "argon2id":
        return await argon2().verify(stored, password);
      case "bcrypt":
        // Bun would SHA-512 a longer input and never match a passlib hash; cut to 72 bytes ourselves.
        return await Bun.password.verify(
          utf8.encode(password).subarray(0, BCRYPT_MAX_BYTES),
          stored,
          "bcrypt",
        );
      default:
        return false;
    }
  } catch (err) {
    // A missing addon is the server's fault, not a mismatch: every login would fail silently.
    if (isArgon2UnavailableError(err)) throw err;
    return false;
  }
}

/** True when `stored` should be replaced by a fresh argon2id hash at the policy parameters. */
export function needsRehash(stored: string): boolean {
  if (hashKind(stored) !== "argon2id") return true;
  try {
    const o = argon2().parseOptions(stored);
    return (
      o.memoryCost !== ARGON2_POLICY.memoryCost ||
      o.timeCost !== ARGON2_POLICY.timeCost ||
      o.parallelism !== ARGON2_POLICY.parallelism
    );
  } catch {
    return true;
  }
}

/**
 * True when a new hash of `password` accepts exactly what `stored` accepts, so
 * replacing one by the other keeps the password. Not for a bcrypt hash and a
 * password of 72 bytes or more: bcrypt checked only the first 72, so it cannot
 * tell this text from a longer password that starts with it (a client that
 * cuts input at 72 bytes, a typo past byte 72), and a hash of it would make
 * that text the password and lock the real one out.
 */
export function rehashKeepsPassword(stored: string, password: string): boolean {
  return hashKind(stored) !== "bcrypt" || utf8.encode(password).length < BCRYPT_MAX_BYTES;
}

let dummy: Promise<string> | undefined;

/**
 * An argon2id hash of a random password at the policy parameters, made once.
 * Unknown users are verified against it so their login costs the same time
 * as a known user's.
 */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(crypto.randomUUID());
  return dummy;
}

/** Byte length of a password as it will be hashed. */
export const passwordBytes = (password: string): number => utf8.encode(password).byteLength;
