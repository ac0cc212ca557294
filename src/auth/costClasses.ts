/**
 * Every login costs the same, whatever hashes are stored.
 *
 * Unknown users are verified against a dummy argon2id hash at the policy
 * parameters, which costs what a current user's hash costs. A hash made
 * elsewhere — a legacy bcrypt `ADMIN_PASSWORD_HASH`, or argon2id at other
 * parameters — costs something else (bcrypt at cost 12: ~300 ms against
 * ~30 ms), and would tell a prober which username it belongs to until its
 * first good login upgrades it. So while such hashes are stored, each login
 * also verifies one decoy for every other cost class in use: every login then
 * costs one verification of each class, known user or not.
 * @module
 */
import { VERIFY_CAPS } from "../security/passwordHash.ts";
import {
  ARGON2_POLICY,
  dummyHash,
  type HashParameters,
  hashKind,
  hashWithParameters,
} from "./passwords.ts";

/** The prefix of every hash at the policy parameters (no decoy needed for those). */
export const POLICY_PREFIX = `$argon2id$v=19$m=${ARGON2_POLICY.memoryCost},t=${ARGON2_POLICY.timeCost},p=${ARGON2_POLICY.parallelism}$`;

const POLICY = "policy";

/** Long enough for any hash's parameters; what {@link costClass} needs of a stored hash. */
export const CLASS_PREFIX_LENGTH = 40;

const BCRYPT = /^\$2[aby]\$(\d{2})\$/;
const ARGON2ID = /^\$argon2id\$v=19\$(m=\d{1,10},t=\d{1,10},p=\d{1,3})\$/;

/**
 * The cost class of a stored hash (or its first {@link CLASS_PREFIX_LENGTH}
 * characters): `policy`, `bcrypt:<cost>` or `argon2id:m=…,t=…,p=…`. Anything
 * else is checked against the policy dummy (login.ts), so it is `policy` too.
 */
export function costClass(stored: string): string {
  if (stored.startsWith(POLICY_PREFIX)) return POLICY;
  const bcrypt = BCRYPT.exec(stored);
  if (bcrypt) return `bcrypt:${bcrypt[1]}`;
  const argon = ARGON2ID.exec(stored);
  return argon ? `argon2id:${argon[1]}` : POLICY;
}

// Decoys are capped where the security gate stops verifying hashes (VERIFY_CAPS); the
// floors are what the hashers accept. A stored hash beyond a cap costs more than its
// decoy: the gate warns.
const BCRYPT_COST = { min: 4, max: VERIFY_CAPS.bcryptCost };
const ARGON2 = {
  maxMemoryKiB: VERIFY_CAPS.argon2MemoryKiB,
  maxTime: VERIFY_CAPS.argon2Time,
  maxParallelism: 16,
};
const clamp = (n: number, min: number, max: number) =>
  Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : min;

/** The parameters a cost class stands for (the inverse of {@link costClass}), within the caps. */
function parametersOf(costClassName: string): HashParameters {
  const [kind, rest = ""] = costClassName.split(":");
  if (kind === "bcrypt") {
    return { kind, cost: clamp(Number(rest), BCRYPT_COST.min, BCRYPT_COST.max) };
  }
  const n = (key: string) => Number(new RegExp(`${key}=(\\d+)`).exec(rest)?.[1]);
  const parallelism = clamp(n("p"), 1, ARGON2.maxParallelism);
  return {
    kind: "argon2id",
    memoryCost: clamp(n("m"), 8 * parallelism, ARGON2.maxMemoryKiB),
    timeCost: clamp(n("t"), 1, ARGON2.maxTime),
    parallelism,
  };
}

const decoys = new Map<string, Promise<string | undefined>>();

/**
 * A hash of a random password in `costClass`, made once per class and kept;
 * undefined when it cannot be made. Never rejects: a decoy is a timing
 * measure, and its failure must not fail the login it pads.
 */
function decoyFor(costClassName: string): Promise<string | undefined> {
  if (costClassName === POLICY) return dummyHash().catch(() => undefined);
  let decoy = decoys.get(costClassName);
  if (!decoy) {
    decoy = hashWithParameters(crypto.randomUUID(), parametersOf(costClassName)).catch(() => {
      decoys.delete(costClassName); // try again on a later login
      return undefined;
    });
    decoys.set(costClassName, decoy);
  }
  return decoy;
}

/**
 * The decoy hashes a login against `target` must also verify, given the
 * hashes (or hash prefixes) stored off-policy: one per cost class in use,
 * the target's own class excepted. Empty while every stored hash is at the policy parameters.
 */
export async function decoysFor(target: string, offPolicy: readonly string[]): Promise<string[]> {
  if (offPolicy.length === 0) return [];
  // The target is verified against the dummy when its own hash cannot be verified (login.ts).
  const targetClass = hashKind(target) === "unknown" ? POLICY : costClass(target);
  const classes = new Set([POLICY, ...offPolicy.map(costClass)]);
  classes.delete(targetClass);
  const made = await Promise.all([...classes].map(decoyFor));
  return made.filter((d): d is string => d !== undefined);
}

/** Makes the dummy and the decoys for the hashes stored now, ahead of the first login. */
export async function warmDecoys(offPolicy: readonly string[]): Promise<void> {
  await Promise.all([POLICY, ...new Set(offPolicy.map(costClass))].map(decoyFor));
}
