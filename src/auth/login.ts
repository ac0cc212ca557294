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
import type { LoginThrottle } from "../ratelimit/loginThrottle.ts";
import {
  type AuditRecorder,
  type AuthAuditEvent,
  fromOrigin,
  type RequestOrigin,
} from "./auditTrail.ts";
import { CLASS_PREFIX_LENGTH, decoysFor, POLICY_PREFIX } from "./costClasses.ts";
import { type HashLimiter, isHashCapacityError } from "./hashLimiter.ts";
import { dummyHash, hashKind, hashPassword, needsRehash, verifyPassword } from "./passwords.ts";
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
 * Counts a wrong password against the login throttle, audits `failure`, and
 * audits `authn_login_lock` when this failure used up a budget (once per lockout). Login and
 * password change share the throttle, so a lockout reached through either
 * leaves the same event.
 */
export async function recordFailedPassword(
  deps: Pick<LoginDeps, "throttle" | "audit">,
  username: string,
  origin: RequestOrigin,
  failure: AuthAuditEvent,
): Promise<void> {
  const { exhausted } = await guarded(() => deps.throttle.recordFailure(username, origin.ip));
  await deps.audit(failure);
  // Once per lockout: only the failure that spent a budget's last unit, even when
  // several instances count failures for the same account at once.
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

/** The 429 for a throttled login or password change, with `Retry-After`. */
export const throttled = (retryAfterMs: number): ApiError =>
  new ApiError("rate_limited", { headers: { "Retry-After": formatRetryAfter(retryAfterMs) } });

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
  // Reserved, not just peeked: concurrent guesses count against the budget
  // until their failures are recorded.
  const reservation = await guarded(() => deps.throttle.reserve(username, origin.ip));
  if (!reservation.allowed) throw throttled(reservation.retryAfterMs);
  try {
    return await verifyAttempt(deps, username, password, origin);
  } finally {
    reservation.release();
  }
}

/** The part of a login that runs under a throttle reservation. */
async function verifyAttempt(
  deps: LoginDeps,
  username: string,
  password: string,
  origin: RequestOrigin,
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

  if (!user || !matches || user.disabled) {
    const reason = !user ? "unknown_user" : !matches ? "bad_password" : "disabled";
    // The attempted name of an unknown user is not recorded: people type passwords there.
    await recordFailedPassword(deps, username, origin, {
      type: "authn_login_fail",
      actor: null,
      target: user?.id ?? null,
      outcome: "failure",
      ...fromOrigin(origin),
      details: { reason },
    });
    throw invalidCredentials();
  }

  await guarded(() => deps.throttle.recordSuccess(username));
  if (needsRehash(user.passwordHash)) {
    // Upgrade legacy bcrypt (or weaker argon2) now that we hold the right password. Best
    // effort: when every hash slot is busy the login still succeeds; the next one upgrades.
    const upgraded = await deps.hasher
      .run(() => hashPassword(password))
      .catch((e: unknown) => {
        if (isHashCapacityError(e)) return undefined;
        throw e;
      });
    if (upgraded) await deps.users.setPasswordHash(user.id, upgraded, false, deps.now());
  }
  return user;
}
