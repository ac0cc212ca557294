/**
 * Recognising and testing the admin password hash: argon2id PHC strings and
 * bcrypt MCF strings (`$2a$/$2b$/$2y$`, e.g. passlib output), and whether a
 * hash verifies one of a few well-known passwords.
 * @module
 */
import { argon2Addon } from "../auth/argon2Addon.ts";

/**
 * argon2id only, as the server verifies (auth/passwords.ts); the salt at least
 * 8 bytes (11 base64 characters) and the digest at least 4 bytes (6
 * characters), argon2's minimums, or verification fails. A digest shorter
 * than hashers write by default (16 bytes or more; ours 32) is allowed here
 * and warned about (admin.006): a hash made that short verifies, one cut off
 * in copying never does, and the string cannot tell which.
 */
// Decimal parameters without leading zeros: argon2 refuses `m=019456`, so such a hash never verifies.
const ARGON2 =
  /^\$argon2id\$v=19\$m=([1-9]\d{0,9}),t=([1-9]\d{0,9}),p=([1-9]\d{0,2})\$[A-Za-z0-9+/]{11,}\$([A-Za-z0-9+/]{6,})$/;
const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/** A well-formed hash and its cost parameters. */
export type ParsedHash =
  | {
      kind: "argon2";
      memoryKiB: number;
      time: number;
      parallelism: number;
      /** Length of the digest (the tag), from its unpadded base64. */
      digestBytes: number;
    }
  | { kind: "bcrypt"; cost: number };

/**
 * Parses a PHC argon2 or MCF bcrypt string; undefined when it is neither, or
 * when its parameters are ones no hasher accepts (bcrypt cost outside 4–31,
 * argon2 with t < 1, p outside 1–255 or m < 8·p): such a hash can never
 * verify, so the admin could never log in.
 */
export function parsePasswordHash(text: string): ParsedHash | undefined {
  // Not trimmed: the server compares the stored string as is, and a hash with a stray
  // newline or space never verifies.
  const value = text;
  const argon = ARGON2.exec(value);
  if (argon) {
    const parsed = {
      kind: "argon2" as const,
      memoryKiB: Number(argon[1]),
      time: Number(argon[2]),
      parallelism: Number(argon[3]),
      digestBytes: Math.floor(((argon[4] as string).length * 6) / 8),
    };
    const { memoryKiB, time, parallelism } = parsed;
    const usable =
      time >= 1 && parallelism >= 1 && parallelism <= 255 && memoryKiB >= 8 * parallelism;
    return usable ? parsed : undefined;
  }
  const bcrypt = BCRYPT.exec(value);
  if (bcrypt) {
    const cost = Number(bcrypt[1]);
    return cost >= 4 && cost <= 31 ? { kind: "bcrypt", cost } : undefined;
  }
  return undefined;
}

/**
 * The passwords whose hash counts as known: the replaced system's default, the
 * seed's example values and the most common admin passwords. Kept short on
 * purpose: each argon2 verify costs 10–90 ms and the gate runs at every start.
 */
export const KNOWN_PASSWORDS: readonly string[] = [
  "TradingSystem2024!",
  "admin",
  "password",
  "changeme",
  "admin123",
  "password123",
  "123456",
  "secret",
  "your_dev_password",
  "YOUR_SECURE_PASSWORD",
];

/**
 * Costs above which a hash is never verified: not at start (the gate), not at a
 * login, not for its decoys (auth/costClasses.ts). A typo such as m=4194304
 * would make every login attempt, anyone's, allocate gigabytes or hang for
 * minutes; `serve` refuses such an `ADMIN_PASSWORD_HASH` (admin.008).
 */
export const VERIFY_CAPS = { argon2MemoryKiB: 262_144, argon2Time: 16, bcryptCost: 14 } as const;
// Concurrent argon2 verifies together may use at most this much memory.
const ARGON2_MEMORY_BUDGET_KIB = 262_144;
// bcrypt (and passlib, libxcrypt) hash only the first 72 bytes of the password.
const BCRYPT_MAX_BYTES = 72;

/** True when verifying this hash is cheap enough to do at every start. */
export function isVerifiable(parsed: ParsedHash): boolean {
  if (parsed.kind === "bcrypt") return parsed.cost <= VERIFY_CAPS.bcryptCost;
  return parsed.memoryKiB <= VERIFY_CAPS.argon2MemoryKiB && parsed.time <= VERIFY_CAPS.argon2Time;
}

/**
 * True when `hash` verifies any of `candidates`. All candidates are tried (in
 * memory-bounded batches, concurrently within a batch); a verifier error counts
 * as "does not match". Throws `Argon2UnavailableError` when an argon2 hash
 * cannot be tested because the addon does not load.
 */
export async function verifiesAnyOf(
  hash: string,
  parsed: ParsedHash,
  candidates: readonly string[],
): Promise<boolean> {
  const value = hash.trim();
  let verifyOne: (candidate: string) => Promise<boolean>;
  let batch = candidates.length;
  if (parsed.kind === "bcrypt") {
    verifyOne = (candidate) =>
      Bun.password.verify(
        Buffer.from(candidate, "utf8").subarray(0, BCRYPT_MAX_BYTES),
        value,
        "bcrypt",
      );
  } else {
    // Loaded lazily: only an argon2 hash needs the native module.
    const { verify } = argon2Addon();
    verifyOne = (candidate) => verify(value, candidate);
    batch = Math.max(1, Math.floor(ARGON2_MEMORY_BUDGET_KIB / parsed.memoryKiB));
  }
  const safely = (candidate: string) => verifyOne(candidate).catch(() => false);
  for (let start = 0; start < candidates.length; start += batch) {
    const results = await Promise.all(candidates.slice(start, start + batch).map(safely));
    if (results.some(Boolean)) return true;
  }
  return false;
}
