/**
 * Authentication: passwords, access tokens, sessions and refresh tokens,
 * the login flow, revocation, maintenance state and the admin bootstrap.
 * See docs/auth.md.
 * @module
 */
export { lockAdminChanges } from "./adminChangeLock.ts";
export {
  type AuditRecorder,
  type AuthAuditEvent,
  type AuthEventType,
  type RequestOrigin,
  recordTo,
} from "./auditTrail.ts";
export {
  AdminBootstrapError,
  type BootstrapOutcome,
  type BootstrapReport,
  bootstrapAdmin,
  isAdminBootstrapError,
  logBootstrap,
} from "./bootstrap.ts";
export {
  createHashLimiter,
  HashCapacityError,
  type HashLimiter,
  isHashCapacityError,
} from "./hashLimiter.ts";
export {
  ARGON2_POLICY,
  dummyHash,
  hashKind,
  hashPassword,
  hasVisibleCharacter,
  MAX_PASSWORD_BYTES,
  MIN_NEW_PASSWORD_CHARS,
  needsRehash,
  passwordBytes,
  verifyPassword,
} from "./passwords.ts";
export { refreshTokenDigest } from "./refreshTokens.ts";
export { ROLES, type Role, roleAtLeast } from "./roles.ts";
export {
  type AuthConfig,
  type AuthService,
  type AuthServiceOptions,
  createAuthService,
  createUserWithPassword,
  invalidGrant,
  type TokenPair,
} from "./service.ts";
export type { SessionCheck, SessionCheckResult } from "./sessionCheck.ts";
export {
  pruneEndedSessions,
  SESSION_RETENTION_MS,
  type SessionPruning,
  startSessionPruning,
} from "./sessionPruning.ts";
export { createMaintenance, type Maintenance, type MaintenanceState } from "./settings.ts";
export * from "./tokens/index.ts";
export {
  isUsernameTakenError,
  normalizeUsername,
  type PublicUser,
  publicUser,
  UsernameTakenError,
  type UserRecord,
} from "./users.ts";
