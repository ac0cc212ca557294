/**
 * The password change flow (`POST /v1/auth/password`): the current password is
 * checked under the login throttle, then the new hash replaces it as a
 * compare-and-set on the token version, and every session of the user ends
 * with it, in one transaction with its audit event.
 * @module
 */
import { ApiError } from "../http/errors.ts";
import type { LoginThrottle } from "../ratelimit/loginThrottle.ts";
import type { Database } from "../storage/index.ts";
import { type AuditRecorder, fromOrigin, type RequestOrigin } from "./auditTrail.ts";
import type { HashLimiter } from "./hashLimiter.ts";
import { recordFailedPassword, underAdmission, underCap } from "./login.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { createSessionStore, type SessionStore } from "./sessions.ts";
import { createUserStore, type UserStore } from "./users.ts";

/** What a password change needs. */
export interface PasswordChangeDeps {
  db: Database;
  users: UserStore;
  sessions: SessionStore;
  throttle: LoginThrottle;
  hasher: HashLimiter;
  audit: AuditRecorder;
  now: () => number;
}

/**
 * Changes `userId`'s password from `current` to `next`. A wrong current
 * password is 401 `invalid_credentials` and charged like a failed login; a
 * change that lost a race with another change, a disable or an enable is 409.
 */
export async function changePassword(
  deps: PasswordChangeDeps,
  userId: string,
  current: string,
  next: string,
  origin: RequestOrigin,
): Promise<void> {
  const { db, users, sessions, throttle, hasher, audit } = deps;
  const user = await users.findById(userId);
  if (!user) throw new ApiError("unauthorized");
  const event = {
    type: "authn_password_change",
    actor: userId,
    target: userId,
    ...fromOrigin(origin),
  } as const;
  // Charged like a login attempt; a right current password gets its units back.
  await underAdmission(
    throttle,
    user.username,
    origin.ip,
    async (admission) => {
      const ok = await underCap(hasher, () => verifyPassword(user.passwordHash, current));
      admission.checked();
      if (ok) return;
      const failure = {
        ...event,
        outcome: "failure" as const,
        details: { reason: "bad_password" },
      };
      await recordFailedPassword(
        { throttle, audit },
        user.username,
        origin,
        failure,
        admission.exhausted,
      );
      throw new ApiError("invalid_credentials", { message: "The current password is wrong." });
    },
    () => throttle.refund(user.username, origin.ip),
  );
  const hash = await underCap(hasher, () => hashPassword(next));
  const at = deps.now();
  await db.transaction(async (tx) => {
    // Against the version the current password was checked under: of concurrent changes
    // that all knew it, one wins and the others are told so (409), not all "succeed".
    const changed = await createUserStore(tx).setPasswordHash(
      userId,
      hash,
      true,
      at,
      user.tokenVersion,
    );
    if (!changed) {
      throw new ApiError("conflict", {
        // The version also moves when the account is disabled or enabled: the message says so.
        message:
          "The account changed meanwhile (its password, or it was disabled or enabled); sign in again.",
      });
    }
    await createSessionStore(tx, sessions.lifetimes).revokeAllOfUser(userId, "password_change", at);
    await audit({ ...event, outcome: "success" });
  });
}
