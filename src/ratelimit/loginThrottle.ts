/**
 * Login failure throttles, per account and per client IP, on the same store
 * and GCRA as the HTTP limiter. `check` peeks (consumes nothing) and runs
 * before any password hashing; only failures consume. Unknown usernames are
 * keyed exactly like known ones (normalized, then hashed), so the throttle
 * reveals nothing about which accounts exist.
 * @module
 */

import type { Config } from "../config/index.ts";
import { LIMITER_TAG } from "./hashTag.ts";
import { rateLimitKeyForIp } from "./ipAddress.ts";
import type { LimitSpec, RateLimitStore } from "./types.ts";

/** `limit` failures per `windowMs`. */
export interface FailureBudget {
  limit: number;
  windowMs: number;
}

/** Options of {@link createLoginThrottle}. */
export interface LoginThrottleOptions {
  store: RateLimitStore;
  /** `LOGIN_MAX_FAILURES_PER_ACCOUNT` per `LOGIN_FAILURE_WINDOW` (default 5 / 15 min). */
  perAccount?: FailureBudget;
  /** `LOGIN_MAX_FAILURES_PER_IP` per `LOGIN_FAILURE_WINDOW` (default 20 / 15 min). */
  perIp?: FailureBudget;
}

/** The answer of {@link LoginThrottle.check}. */
export interface LoginCheck {
  allowed: boolean;
  /** 0 when allowed; else milliseconds until one more attempt is allowed (≥ 1). */
  retryAfterMs: number;
  /** Which throttle refused: `login-account` or `login-ip`. */
  blockedBy?: string;
}

/** An admitted attempt; `release()` once its outcome is recorded (idempotent). */
export interface LoginReservation extends LoginCheck {
  release(): void;
}

/**
 * The login throttle. Every method rejects with `StoreUnavailableError` when the
 * store cannot answer; the login route must then refuse (503), never proceed.
 */
export interface LoginThrottle {
  /** May this username try from this IP now? Peeks: consumes nothing. Call before hashing. */
  check(username: string, ip: string): Promise<LoginCheck>;
  /**
   * Like {@link check}, but attempts already in flight on this instance count
   * against the budget until released: otherwise N concurrent guesses all pass
   * the peek before the first failure is recorded.
   */
  reserve(username: string, ip: string): Promise<LoginReservation>;
  /**
   * Counts one failed attempt against the account and the IP. `exhausted` is true
   * for the failure that spent the last unit of either budget: the lockout's start,
   * audited once (later failures are refused by the store and spend nothing).
   */
  recordFailure(username: string, ip: string): Promise<{ exhausted: boolean }>;
  /** Forgets the account's failures after a good login (the IP's stay). */
  recordSuccess(username: string): Promise<void>;
}

const FIFTEEN_MINUTES = 15 * 60_000;

/** The budgets configured by `LOGIN_MAX_FAILURES_PER_ACCOUNT`, `…_PER_IP` and `LOGIN_FAILURE_WINDOW`. */
export function loginBudgetsFromConfig(
  config: Pick<
    Config,
    "LOGIN_MAX_FAILURES_PER_ACCOUNT" | "LOGIN_MAX_FAILURES_PER_IP" | "LOGIN_FAILURE_WINDOW"
  >,
): { perAccount: FailureBudget; perIp: FailureBudget } {
  const windowMs = config.LOGIN_FAILURE_WINDOW;
  return {
    perAccount: { limit: config.LOGIN_MAX_FAILURES_PER_ACCOUNT, windowMs },
    perIp: { limit: config.LOGIN_MAX_FAILURES_PER_IP, windowMs },
  };
}

/** Usernames are case-insensitive: NFC, then lowercase (DESIGN §6). */
export function normalizeUsername(username: string): string {
  return username.normalize("NFC").toLowerCase();
}

/**
 * The store key of an account's failure budget: a SHA-256 of the normalized
 * username, so Redis never holds usernames. Like every limiter key it
 * carries the limiter's hash tag, so account and IP share one script call.
 */
export function loginAccountKey(username: string): string {
  const digest = new Bun.CryptoHasher("sha256").update(normalizeUsername(username)).digest("hex");
  return `${LIMITER_TAG}:login:acct:${digest.slice(0, 32)}`;
}

/** The store key of an IP's login failure budget (IPv6 by /56). */
export function loginIpKey(ip: string): string {
  return `${LIMITER_TAG}:login:ip:${rateLimitKeyForIp(ip)}`;
}

/** Builds the login throttle. */
export function createLoginThrottle(options: LoginThrottleOptions): LoginThrottle {
  const perAccount = options.perAccount ?? { limit: 5, windowMs: FIFTEEN_MINUTES };
  const perIp = options.perIp ?? { limit: 20, windowMs: FIFTEEN_MINUTES };
  const { store } = options;

  const accountLimit = (username: string): LimitSpec => ({
    name: "login-account",
    key: loginAccountKey(username),
    ...perAccount,
  });
  const ipLimit = (ip: string): LimitSpec => ({ name: "login-ip", key: loginIpKey(ip), ...perIp });
  // Attempts admitted but not yet recorded, by store key. Bounded by the
  // number of logins in flight (the hash cap and its queue).
  const inFlight = new Map<string, number>();
  const pending = (key: string) => inFlight.get(key) ?? 0;
  const adjust = (key: string, delta: number) => {
    const next = pending(key) + delta;
    if (next > 0) inFlight.set(key, next);
    else inFlight.delete(key);
  };
  const refused = (decision: { retryAfterMs: number; blockedBy: string }): LoginCheck => ({
    allowed: false,
    retryAfterMs: Math.max(1, decision.retryAfterMs),
    blockedBy: decision.blockedBy,
  });

  return {
    async check(username, ip) {
      const decision = await store.decide([accountLimit(username), ipLimit(ip)], { peek: true });
      return decision.allowed ? { allowed: true, retryAfterMs: 0 } : refused(decision);
    },
    async reserve(username, ip) {
      const account = accountLimit(username);
      const address = ipLimit(ip);
      // Counted before the (asynchronous) peek, so attempts racing in the same
      // instant see each other; the peek's cost covers every one in flight.
      adjust(account.key, 1);
      adjust(address.key, 1);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        adjust(account.key, -1);
        adjust(address.key, -1);
      };
      let decision: Awaited<ReturnType<RateLimitStore["decide"]>>;
      try {
        decision = await store.decide(
          [
            { ...account, cost: pending(account.key) },
            { ...address, cost: pending(address.key) },
          ],
          { peek: true },
        );
      } catch (err) {
        release();
        throw err;
      }
      if (!decision.allowed) {
        release();
        return { ...refused(decision), release: () => {} };
      }
      return { allowed: true, retryAfterMs: 0, release };
    },
    async recordFailure(username, ip) {
      // Two decisions, not one: a failure must count against the account even when
      // the IP's budget is already spent, and the other way round.
      const decisions = await Promise.all([
        store.decide([accountLimit(username)]),
        store.decide([ipLimit(ip)]),
      ]);
      const spentLast = (d: (typeof decisions)[number]) =>
        d.allowed && d.states.some((state) => state.remaining === 0);
      return { exhausted: decisions.some(spentLast) };
    },
    async recordSuccess(username) {
      await store.reset([loginAccountKey(username)]);
    },
  };
}
