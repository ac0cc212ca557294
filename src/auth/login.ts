/**
 * The login flow (DESIGN §6): throttles before any hashing, the same password
 * verification cost for every attempt (a dummy hash for unknown users, decoys
 * while off-policy hashes are stored: costClasses.ts), one
 * failure for every cause, and an argon2id upgrade of legacy hashes after a
 * good password.
 * @module
 */
import { ApiError } from "../http/errors.ts";
// Direct modules, not the ratelimit index: the index also loads the Redis store.
import { isStoreUnavailableError, rateLimiterUnavailable } from "../ratelimit/errors.ts";
import { formatRetryAfter } from "../ratelimit/headers.ts";
import type { LoginCheck, LoginThrottle } from "../ratelimit/loginThrottle.ts";
import { argon2Addon } from "./argon2Addon.ts";
import {
  type AuditRecorder,
  type AuthAuditEvent,
  fromOrigin,
  type RequestOrigin,
} from "./auditTrail.ts";
import { CLASS_PREFIX_LENGTH, decoysFor, POLICY_PREFIX } from "./costClasses.ts";
import { type HashLimiter, isHashCapacityError } from "./hashLimiter.ts";
import {
  dummyHash,
  hashKind,
  hashPassword,
  needsRehash,
  rehashKeepsPassword,
  verifyPassword,
} from "./passwords.ts";
import type { UserRecord, UserStore } from "./users.ts";

/** What a login needs. */
export interface LoginDeps {
  users: UserStore;
  throttle: LoginThrottle;
  hasher: HashLimiter;
  audit: AuditRecorder;
  now: () => number;
}

/** The one failure of every login problem; bodies differ only in request_id. */
export const invalidCredentials = () => new ApiError("invalid_credentials");

/** 503 with `Retry-After` when every hash slot is busy (capacity, not the caller's fault). */
export const hashersBusy = () =>
  new ApiError("service_unavailable", {
    message: "Too many logins in progress; try again shortly.",
    headers: { "Retry-After": "1" },
    shed: true,
  });

/** Throttle store failures fail closed (503), like the HTTP rate limiter. */
export async function guarded<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (isStoreUnavailableError(e)) throw rateLimiterUnavailable();
    throw e;
  }
}

/** Runs a hash job under the concurrency cap, mapping overflow to 503. */
export async function underCap<T>(hasher: HashLimiter, job: () => Promise<T>): Promise<T> {
  try {
    return await hasher.run(job);
  } catch (e) {
    if (isHashCapacityError(e)) throw hashersBusy();
    throw e;
  }
}

/**
 * Audits a wrong password (already counted: its attempt was charged by
 * `admit`), and `authn_login_lock` when that attempt spent a budget's last unit
 * (once per lockout). Login and password change share the throttle, so a
 * lockout reached through either leaves the same event.
 */
export async function recordFailedPassword(
  deps: Pick<LoginDeps, "throttle" | "audit">,
  username: string,
  origin: RequestOrigin,
  failure: AuthAuditEvent,
  exhausted: boolean,
): Promise<void> {
  await deps.audit(failure);
  // Once per lockout: only the attempt that spent a budget's last unit, even when several
  // instances charge attempts for the same account at once. A good login racing it may
  // already have lifted the lock: then there is nothing to report.
  if (!exhausted) return;
  const after = await guarded(() => deps.throttle.check(username, origin.ip));
  if (after.allowed) return;
  await deps.audit({
    type: "authn_login_lock",
    actor: failure.actor,
    target: failure.target,
    outcome: "failure",
    ...fromOrigin(origin),
    details: { throttle: after.blockedBy ?? "unknown", retry_after_ms: after.retryAfterMs },
  });
}

/**
 * Runs `attempt` under a charged throttle unit; `attempt` calls `checked()` once
 * the password has been verified. The unit stays spent when `attempt` throws
 * after that (a wrong password), is settled by `settle` when it returns (a right
 * one; `LoginThrottle.succeeded` gives the unit back even when the reset
 * fails), and is refunded when it throws before any password was checked
 * (hash capacity, a database error): no guess was made.
 */
export async function underAdmission<T>(
  throttle: LoginThrottle,
  username: string,
  ip: string,
  attempt: (admission: { exhausted: boolean; checked: () => void }) => Promise<T>,
  settle: () => Promise<void>,
): Promise<T> {
  const admission = await guarded(() => throttle.admit(username, ip));
  if (!admission.allowed) throw throttled(admission);
  let checked = false;
  let result: T;
  try {
    result = await attempt({ exhausted: admission.exhausted, checked: () => (checked = true) });
  } catch (error) {
    // Best effort: a refund that fails leaves the unit spent, the safe side.
    if (!checked) await throttle.refund(username, ip).catch(() => {});
    throw error;
  }
  await guarded(settle);
  return result;
}

/** The 429 for a throttled login or password change: `Retry-After` and the login budgets' state. */
export const throttled = (refusal: Pick<LoginCheck, "retryAfterMs" | "headers">): ApiError =>
  new ApiError("rate_limited", {
    headers: { ...refusal.headers, "Retry-After": formatRetryAfter(refusal.retryAfterMs) },
  });

/**
 * Checks a username and password. Resolves with the user on success; throws
 * the pinned 429, 503 or 401 otherwise. Failures are counted and audited.
 */
export async function authenticate(
  deps: LoginDeps,
  username: string,
  password: string,
  origin: RequestOrigin,
): Promise<UserRecord> {
  // Without the hasher some paths would fail (the dummy hash, an upgrade) and others not (a
  // bcrypt hash): every attempt fails alike instead, before it is charged, so no status tells
  // a known name from an unknown one.
  argon2Addon();
  return await underAdmission(
    deps.throttle,
    username,
    origin.ip,
    (admission) => verifyAttempt(deps, username, password, origin, admission),
    () => deps.throttle.succeeded(username, origin.ip),
  );
}

/** The part of a login that runs under a charged throttle unit. */
async function verifyAttempt(
  deps: LoginDeps,
  username: string,
  password: string,
  origin: RequestOrigin,
  admission: { exhausted: boolean; checked: () => void },
): Promise<UserRecord> {
  const user = await deps.users.findByUsername(username);
  // An unverifiable stored hash would fail at once, a timing tell of its own: use the dummy.
  const stored =
    user && hashKind(user.passwordHash) !== "unknown" ? user.passwordHash : await dummyHash();
  const offPolicy = await deps.users.offPolicyHashPrefixes(POLICY_PREFIX, CLASS_PREFIX_LENGTH);
  const decoys = await decoysFor(stored, offPolicy);
  const matches = await underCap(deps.hasher, async () => {
    const ok = await verifyPassword(stored, password);
    // One verification of every other cost class in use (costClasses.ts); results unused.
    for (const decoy of decoys) await verifyPassword(decoy, password);
    return ok;
  });
  admission.checked();

  if (!user || !matches || user.disabled) {
    const reason = !user ? "unknown_user" : !matches ? "bad_password" : "disabled";
    // The attempted name of an unknown user is not recorded: people type passwords there.
    const failure: AuthAuditEvent = {
      type: "authn_login_fail",
      actor: null,
      target: user?.id ?? null,
      outcome: "failure",
      ...fromOrigin(origin),
      details: { reason },
    };
    await recordFailedPassword(deps, username, origin, failure, admission.exhausted);
    throw invalidCredentials();
  }

  if (needsRehash(user.passwordHash) && rehashKeepsPassword(user.passwordHash, password)) {
    // Upgrade legacy bcrypt (or weaker argon2) now that we hold the right password. Best
    // effort: when every hash slot is busy the login still succeeds; the next one upgrades.
    // A bcrypt password of 72 bytes or more stays on bcrypt (rehashKeepsPassword).
    const upgraded = await deps.hasher
      .run(() => hashPassword(password))
      .catch((e: unknown) => {
        if (isHashCapacityError(e)) return undefined;
        throw e;
      });
    // Only while nothing changed the password since it was checked: a password change
    // committing meanwhile must not be undone by a hash of the old password.
    if (upgraded) {
      await deps.users.setPasswordHash(user.id, upgraded, false, deps.now(), user.tokenVersion);
    }
  }
  return user;
}
