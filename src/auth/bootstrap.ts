/**
 * Creates or updates the bootstrap admin from `ADMIN_USERNAME` and
 * `ADMIN_PASSWORD_HASH` (or, in development only, `ADMIN_PASSWORD`) at start.
 *
 * The configured hash is applied when the admin does not exist or when the
 * configured value changed since the last start (we remember a SHA-256 of the
 * configured hash string, never of a password; bootstrapRecord.ts). So a
 * rehash-on-login or a password change through the API survives restarts, and
 * changing the variable is the operator's break-glass: it resets the password,
 * restores the admin role, re-enables the account and ends its sessions and tokens.
 *
 * A hash that was applied once and replaced since is not applied again: an
 * instance starting with stale configuration (a rolling deploy, a rolled-back
 * secret) would otherwise reset the admin to a password given up, perhaps
 * because it leaked.
 * @module
 */
import type { Config } from "../config/index.ts";
import type { Database } from "../storage/index.ts";
import type { Logger } from "../telemetry/logger.ts";
import { lockAdminChanges } from "./adminChangeLock.ts";
import type { AuditRecorder, AuthAuditEvent } from "./auditTrail.ts";
import {
  appliedRecord,
  fingerprintOf,
  readBootstrapRecord,
  writeBootstrapRecord,
} from "./bootstrapRecord.ts";
import { hashKind, hashPassword, verifyPassword } from "./passwords.ts";
import { revokeSessionsOfUser } from "./sessions.ts";
import { usernameProblem } from "./usernamePolicy.ts";
import { createUserStore } from "./users.ts";

/**
 * What happened to the admin account: `superseded` when the configured hash was
 * applied before and replaced since, so it was left alone.
 */
export type BootstrapOutcome = "created" | "updated" | "unchanged" | "skipped" | "superseded";

/** The outcome, and other enabled admins an earlier `ADMIN_USERNAME` left behind. */
export interface BootstrapReport {
  outcome: BootstrapOutcome;
  /**
   * Set when the account was left as it is (`unchanged`, `superseded`) while it cannot act as
   * the admin: another admin disabled or demoted it since its hash was applied.
   */
  inactive?: { disabled: boolean; role: string };
  /** The earlier bootstrap admin's name when `ADMIN_USERNAME` moved and it is still an enabled admin. */
  formerAdmin?: string;
}

/** Thrown when the admin configuration cannot be applied. */
export class AdminBootstrapError extends Error {
  readonly isAdminBootstrapError = true;
  constructor(message: string) {
    super(message);
    this.name = "AdminBootstrapError";
  }
}

/** True when `e` is an {@link AdminBootstrapError}. */
export const isAdminBootstrapError = (e: unknown): e is AdminBootstrapError =>
  e instanceof Error && (e as Partial<AdminBootstrapError>).isAdminBootstrapError === true;

/**
 * Applies the admin configuration. Idempotent. A creation or a break-glass
 * reset is written to `audit` (when given) in the same transaction: a
 * `user_created` or `user_updated` with `reason: "bootstrap"`, actor null (the
 * operator's configuration, not a signed-in user).
 */
export async function bootstrapAdmin(
  db: Database,
  config: Pick<Config, "environment" | "ADMIN_USERNAME" | "ADMIN_PASSWORD_HASH" | "ADMIN_PASSWORD">,
  now: number = Date.now(),
  audit?: AuditRecorder,
): Promise<BootstrapReport> {
  const users = createUserStore(db);
  const existing = await users.findByUsername(config.ADMIN_USERNAME);
  let configured = config.ADMIN_PASSWORD_HASH;
  if (configured !== undefined && hashKind(configured) === "unknown") {
    throw new AdminBootstrapError("ADMIN_PASSWORD_HASH is not an argon2id or bcrypt hash");
  }
  if (configured === undefined && config.ADMIN_PASSWORD !== undefined) {
    if (config.environment !== "development") {
      throw new AdminBootstrapError("ADMIN_PASSWORD is only allowed in development");
    }
    // Keep the stored hash when it still matches, so each start does not reset the fingerprint.
    if (existing && (await verifyPassword(existing.passwordHash, config.ADMIN_PASSWORD))) {
      configured = existing.passwordHash;
    } else {
      configured = await hashPassword(config.ADMIN_PASSWORD);
    }
  }
  if (configured === undefined) return { outcome: "skipped" };
  const hash = configured;
  // A new account's name follows the policy POST /v1/admin/users applies (lookalikes,
  // invisible characters); an admin created before the policy keeps working.
  const problem = existing ? undefined : usernameProblem(config.ADMIN_USERNAME);
  if (problem) throw new AdminBootstrapError(`ADMIN_USERNAME ${problem}`);

  const fingerprint = fingerprintOf(hash);
  return db.transaction(async (tx) => {
    // Machines starting together on one database must not both create the admin.
    await lockAdminChanges(tx);
    const txUsers = createUserStore(tx);
    const current = await txUsers.findByUsername(config.ADMIN_USERNAME);
    const record = await readBootstrapRecord(tx);
    const event = (
      type: AuthAuditEvent["type"],
      target: string,
      details: Record<string, unknown>,
    ) =>
      audit?.({
        type,
        actor: null,
        target,
        outcome: "success",
        ip: null,
        userAgent: null,
        requestId: null,
        details: { reason: "bootstrap", ...details },
      });
    const left = (outcome: "unchanged" | "superseded"): BootstrapReport =>
      current && (current.disabled || current.role !== "admin")
        ? { outcome, inactive: { disabled: current.disabled, role: current.role } }
        : { outcome };
    if (record?.retired.includes(fingerprint)) return left("superseded");
    // The account the last applied hash went to, when ADMIN_USERNAME has moved since.
    const former = async (adminId: string): Promise<Pick<BootstrapReport, "formerAdmin">> => {
      if (!record?.userId || record.userId === adminId) return {};
      const earlier = await txUsers.findById(record.userId);
      return earlier && earlier.role === "admin" && !earlier.disabled
        ? { formerAdmin: earlier.username }
        : {};
    };
    const remember = (userId: string) =>
      writeBootstrapRecord(tx, appliedRecord(record, fingerprint, userId), now);
    if (!current) {
      const created = await txUsers.create(
        { username: config.ADMIN_USERNAME, passwordHash: hash, role: "admin" },
        now,
      );
      await remember(created.id);
      await event("user_created", created.id, { role: "admin" });
      return { outcome: "created", ...(await former(created.id)) };
    }
    if (record?.fingerprint === fingerprint && (record.userId ?? current.id) === current.id) {
      // A record from before the account was remembered learns it, with no change to anyone.
      if (record.userId === undefined) await remember(current.id);
      return left("unchanged");
    }
    const passwordReset = current.passwordHash !== hash;
    // A reset because the password may be known must also end what it opened: a refresh
    // token from before would otherwise go on minting tokens at the new token version.
    // The user row first, as a password change does: its update waits for a login with the
    // old password that holds the row (PostgreSQL), so the session that login commits is
    // there for the revocation to see; revoked first, it survived (a probe's race).
    if (passwordReset) await txUsers.setPasswordHash(current.id, hash, true, now);
    const sessionsEnded = passwordReset
      ? await revokeSessionsOfUser(tx, current.id, "admin_reset", now)
      : 0;
    await txUsers.update(current.id, { role: "admin", disabled: false }, now);
    await remember(current.id);
    await event("user_updated", current.id, {
      role: "admin",
      disabled: false,
      // Not "password_…": the audit log redacts values under credential-like keys.
      sign_in_reset: passwordReset,
      sessions_ended: sessionsEnded,
    });
    return { outcome: "updated", ...(await former(current.id)) };
  });
}

/**
 * Logs the outcome with the account's name; a stale hash and an earlier admin
 * left enabled are warnings, each saying what to do.
 */
export function logBootstrap(logger: Logger, account: string, report: BootstrapReport): void {
  if (report.outcome === "superseded") {
    logger.warn("admin account: ADMIN_PASSWORD_HASH was replaced earlier; not applied again", {
      account,
      hint: "stale configuration? to reset the password, set a new hash (trading-server hash-password)",
    });
  } else {
    logger.info("admin account", { account, outcome: report.outcome });
  }
  if (report.inactive !== undefined) {
    // An admin disabled it on purpose, perhaps; the operator starting it should still know.
    logger.warn("admin account: ADMIN_USERNAME cannot sign in as admin", {
      account,
      ...report.inactive,
      hint: "another admin disabled or demoted it; to restore it, set a new ADMIN_PASSWORD_HASH (break-glass)",
    });
  }
  if (report.formerAdmin !== undefined) {
    logger.warn("admin account: the earlier ADMIN_USERNAME is still an enabled admin", {
      account: report.formerAdmin,
      hint: 'disable it (PATCH /v1/admin/users/{id} {"disabled":true}) unless it should stay',
    });
  }
}
