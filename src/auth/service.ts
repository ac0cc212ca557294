/**
 * The auth service: every store and flow composed once from the
 * configuration, handed to the middleware and routes as their `deps`.
 * @module
 */
import type { Clock } from "../clock/index.ts";
import type { Config } from "../config/index.ts";
import { ApiError } from "../http/errors.ts";
import type { LoginThrottle } from "../ratelimit/index.ts";
import type { Database } from "../storage/index.ts";
import type { Logger } from "../telemetry/logger.ts";
import { argon2Addon } from "./argon2Addon.ts";
import { type AuditRecorder, fromOrigin, type RequestOrigin } from "./auditTrail.ts";
import { CLASS_PREFIX_LENGTH, POLICY_PREFIX, warmDecoys } from "./costClasses.ts";
import { GraceReplays } from "./graceReplays.ts";
import { createHashLimiter, type HashLimiter } from "./hashLimiter.ts";
import { authenticate, invalidCredentials, underCap } from "./login.ts";
import { changePassword } from "./passwordChange.ts";
import { hashPassword } from "./passwords.ts";
import { createRefreshTokens, type RefreshTokens } from "./refreshTokens.ts";
import { auditRefusedRefresh } from "./refusedRefresh.ts";
import { lockAgainstRevokeAll } from "./revokeAllLock.ts";
import type { Role } from "./roles.ts";
import { createSessionCheck, type SessionCheck } from "./sessionCheck.ts";
import { createSessionStore, MAX_LIVE_SESSIONS, type SessionStore } from "./sessions.ts";
import { createMaintenance, type Maintenance, readSetting, SETTING } from "./settings.ts";
import { type AccessTokens, createAccessTokens, createKeyRing } from "./tokens/index.ts";
import { createUserStore, type UserRecord, type UserStore } from "./users.ts";

/** The configuration auth reads. */
export type AuthConfig = Pick<
  Config,
  | "SECURITY_SECRET_KEY"
  | "SECURITY_SECRET_KEY_PREVIOUS"
  | "JWT_ISSUER"
  | "JWT_AUDIENCE"
  | "ACCESS_TOKEN_TTL"
  | "REFRESH_REUSE_GRACE"
  | "SESSION_IDLE_TTL"
  | "SESSION_ABSOLUTE_TTL"
  | "LOGIN_MAX_CONCURRENT_HASHES"
  | "LOGIN_HASH_QUEUE"
>;

/** Options of {@link createAuthService}. */
export interface AuthServiceOptions {
  db: Database;
  config: AuthConfig;
  /** The login throttle (`createLoginThrottle` on the rate-limit store). */
  throttle: LoginThrottle;
  audit: AuditRecorder;
  clock: Clock;
  /** Where a password hasher that cannot load is reported, soon after start. */
  logger?: Logger;
  /**
   * Live sessions per user before a login ends the least recently used
   * (default {@link MAX_LIVE_SESSIONS}).
   */
  maxLiveSessions?: number;
}

/** The pinned 200 body of login and refresh. */
export interface TokenPair {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token: string;
}

/** Everything auth offers the HTTP layer. */
export interface AuthService {
  db: Database;
  clock: Clock;
  tokens: AccessTokens;
  users: UserStore;
  sessions: SessionStore;
  refreshTokens: RefreshTokens;
  sessionCheck: SessionCheck;
  maintenance: Maintenance;
  hasher: HashLimiter;
  throttle: LoginThrottle;
  audit: AuditRecorder;
  login(username: string, password: string, origin: RequestOrigin): Promise<TokenPair>;
  refresh(refreshToken: string, origin: RequestOrigin): Promise<TokenPair>;
  logout(userId: string, sessionId: string, origin: RequestOrigin): Promise<void>;
  changePassword(
    userId: string,
    current: string,
    next: string,
    origin: RequestOrigin,
  ): Promise<void>;
}

/** The one refresh failure, whatever went wrong. */
export const invalidGrant = () => new ApiError("invalid_grant");

/**
 * How long after construction the dummy hash is made: past the start-up of a
 * server (~100–200 ms on a loaded 2-core machine), well before real traffic.
 */
const DUMMY_HASH_DELAY_MS = 500;

/** Builds the auth service. Throws when `SECURITY_SECRET_KEY` is missing. */
export function createAuthService(options: AuthServiceOptions): AuthService {
  const { db, config, clock, audit, throttle } = options;
  const maxLiveSessions = options.maxLiveSessions ?? MAX_LIVE_SESSIONS;
  if (!config.SECURITY_SECRET_KEY) throw new Error("SECURITY_SECRET_KEY is required for auth");
  const now = () => clock.now();
  const tokens = createAccessTokens({
    ring: createKeyRing(config.SECURITY_SECRET_KEY, config.SECURITY_SECRET_KEY_PREVIOUS),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlMs: config.ACCESS_TOKEN_TTL,
    clock,
  });
  const users = createUserStore(db);
  const sessions = createSessionStore(db, {
    idleMs: config.SESSION_IDLE_TTL,
    absoluteMs: config.SESSION_ABSOLUTE_TTL,
  });
  const refreshTokens = createRefreshTokens(db, sessions, config.REFRESH_REUSE_GRACE);
  const graceReplays = new GraceReplays(config.REFRESH_REUSE_GRACE);
  // The dummy (and decoys for off-policy hashes, costClasses.ts) are made early, so the
  // first unknown-user login does not pay for them (a one-off timing tell);
  // just after start-up rather than during it, where loading argon2 and hashing on the
  // thread pool would compete with it for CPU. A login before then makes it on demand.
  setTimeout(() => {
    try {
      argon2Addon();
    } catch (err) {
      // Not only at the first login (a 500 then): say it while the operator is watching the start.
      options.logger?.error("password hashing unavailable: every login will fail", {
        error: { name: (err as Error).name, message: (err as Error).message },
      });
      return;
    }
    users
      .offPolicyHashPrefixes(POLICY_PREFIX, CLASS_PREFIX_LENGTH)
      .then(warmDecoys)
      .catch(() => {});
  }, DUMMY_HASH_DELAY_MS).unref();
  const hasher = createHashLimiter({
    maxConcurrent: config.LOGIN_MAX_CONCURRENT_HASHES,
    maxQueue: config.LOGIN_HASH_QUEUE,
  });

  const pair = (user: UserRecord, sessionId: string, refreshToken: string): TokenPair => {
    const minted = tokens.sign({
      sub: user.id,
      sid: sessionId,
      role: user.role,
      ver: user.tokenVersion,
    });
    return {
      access_token: minted.token,
      token_type: "Bearer",
      expires_in: minted.expiresIn,
      refresh_token: refreshToken,
    };
  };

  return {
    db,
    clock,
    tokens,
    users,
    sessions,
    refreshTokens,
    sessionCheck: createSessionCheck(db, config.SESSION_IDLE_TTL),
    maintenance: createMaintenance({ db, clock }),
    hasher,
    throttle,
    audit,

    async login(username, password, origin) {
      const user = await authenticate(
        { users, throttle, hasher, audit, now },
        username,
        password,
        origin,
      );
      const at = now();
      const started = await db.transaction(async () => {
        // A password change or disable that committed since the password was checked ends
        // this login; one still running waits for it, and then ends its session too.
        const state = await users.lockedState(user.id);
        if (!state || state.disabled || state.tokenVersion !== user.tokenVersion) {
          await audit({
            type: "authn_login_fail",
            actor: null,
            target: user.id,
            outcome: "failure",
            ...fromOrigin(origin),
            details: { reason: "account_changed" },
          });
          return undefined;
        }
        // A session starts no earlier than the last revoke-all's cut-off once that has
        // committed: taken from another instance's clock (or the database's), it may be
        // ahead of ours, and a login after it would otherwise be dead on its first request.
        // A revoke-all still running is waited for, or it would miss this session.
        await lockAgainstRevokeAll(db);
        const cutoff = Number(await readSetting(db, SETTING.tokensNotBefore));
        const start = Number.isFinite(cutoff) ? Math.max(at, cutoff) : at;
        const sessionId = await sessions.create(user.id, origin, start);
        const refreshToken = await refreshTokens.issue(sessionId, start);
        const ended = await sessions.endBeyond(user.id, sessionId, maxLiveSessions, start);
        await audit({
          type: "authn_login_success",
          actor: user.id,
          target: user.id,
          outcome: "success",
          ...fromOrigin(origin),
          details: { session_id: sessionId, ...(ended > 0 && { sessions_ended: ended }) },
        });
        return { sessionId, refreshToken };
      });
      if (!started) throw invalidCredentials();
      return pair(user, started.sessionId, started.refreshToken);
    },

    async refresh(refreshToken, origin) {
      // One transaction: the rotation and its event commit together, or neither does.
      const rotated = await db.transaction(async () => {
        const result = await refreshTokens.rotate(refreshToken, now());
        if (!result.ok) {
          await auditRefusedRefresh({ db, audit, graceReplays, now: now() }, result, origin);
          return undefined;
        }
        const user = await users.findById(result.userId);
        // Thrown, not returned: the rotation rolls back with it, so no token is spent without
        // its event (a disable racing this refresh also revokes the session).
        if (!user || user.disabled) throw invalidGrant();
        await audit({
          type: "authn_token_refresh",
          actor: user.id,
          target: result.sessionId,
          outcome: "success",
          ...fromOrigin(origin),
        });
        return { user, sessionId: result.sessionId, token: result.token };
      });
      if (!rotated) throw invalidGrant();
      return pair(rotated.user, rotated.sessionId, rotated.token);
    },

    async logout(userId, sessionId, origin) {
      await db.transaction(async () => {
        // Two logouts of one session at once: one ends it, and only that one is an event.
        if (!(await sessions.revoke(sessionId, "logout", now()))) return;
        await audit({
          type: "session_logout",
          actor: userId,
          target: sessionId,
          outcome: "success",
          ...fromOrigin(origin),
        });
      });
    },

    changePassword: (userId, current, next, origin) =>
      changePassword(
        { db, users, sessions, throttle, hasher, audit, now },
        userId,
        current,
        next,
        origin,
      ),
  };
}

/**
 * Creates a user with a freshly hashed password (admin action); `within` runs
 * in the same transaction after the insert.
 */
export async function createUserWithPassword(
  auth: AuthService,
  input: { username: string; password: string; role: Role },
  within?: (user: UserRecord) => Promise<void>,
): Promise<UserRecord> {
  const passwordHash = await underCap(auth.hasher, () => hashPassword(input.password));
  // `within` (the audit event) commits with the new user, or neither does.
  return auth.db.transaction(async () => {
    const user = await auth.users.create(
      { username: input.username, passwordHash, role: input.role },
      auth.clock.now(),
    );
    await within?.(user);
    return user;
  });
}
