/**
 * Login failure throttles, per account and per client IP, on the same store
 * and GCRA as the HTTP limiter. Every attempt is charged before its password
 * is hashed and refunded unless the password was wrong, so only failures
 * stay counted, and no burst spread over instances verifies more passwords
 * than the budget. Unknown usernames are
 * keyed exactly like known ones (normalized, then hashed), so the throttle
 * reveals nothing about which accounts exist.
 * @module
 */

import type { Config } from "../config/index.ts";
import { LIMITER_TAG } from "./hashTag.ts";
import { formatRateLimit, formatRateLimitPolicy } from "./headers.ts";
import { rateLimitKeyForIp } from "./ipAddress.ts";
import type { LimitSpec, LimitState, RateLimitStore } from "./types.ts";

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
  /**
   * On a refusal, `RateLimit-Policy` for the two login budgets and `RateLimit`
   * for the ones that refused, so a 429 says which ran out (the HTTP limiter
   * adds its own in front).
   */
  headers?: { "RateLimit-Policy": string; RateLimit: string };
}

/** The answer of {@link LoginThrottle.admit}. */
export interface LoginAdmission extends LoginCheck {
  /**
   * True when this attempt spent the last unit of a budget: if its password
   * turns out wrong, that is the lockout's start, audited once.
   */
  exhausted: boolean;
}

/**
 * The login throttle. Every method rejects with `StoreUnavailableError` when the
 * store cannot answer; the login route must then refuse (503), never proceed.
 */
export interface LoginThrottle {
  /** May this username try from this IP now? Peeks: consumes nothing. */
  check(username: string, ip: string): Promise<LoginCheck>;
  /**
   * Charges one attempt against the account and the IP budgets, all or nothing,
   * before any hashing. The charge is atomic in the store, so concurrent
   * guesses on every instance together verify at most the budget. A wrong
   * password keeps it; settle every other outcome with {@link succeeded} or
   * {@link refund}.
   */
  admit(username: string, ip: string): Promise<LoginAdmission>;
  /** A right password: the account's failures are forgotten, the IP gets its unit back. */
  succeeded(username: string, ip: string): Promise<void>;
  /** Gives both units back: the password was right (password change) or never checked. */
  refund(username: string, ip: string): Promise<void>;
  /** Forgets the account's failures (a break-glass reset gave it a password no one guessed at). */
  forgive(username: string): Promise<void>;
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

/** The states of the limits that refused (the one named `blockedBy` at least). */
function refusing(decision: { blockedBy: string; states: LimitState[] }): LimitState[] {
  return decision.states.filter(
    (state) => (state.retryAfterMs ?? 0) > 0 || state.name === decision.blockedBy,
  );
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
  const refused = (
    limits: LimitSpec[],
    decision: { retryAfterMs: number; blockedBy: string; states: LimitState[] },
  ): LoginCheck => ({
    allowed: false,
    retryAfterMs: Math.max(1, decision.retryAfterMs),
    blockedBy: decision.blockedBy,
    headers: {
      "RateLimit-Policy": formatRateLimitPolicy(limits),
      // Only the budgets that refused: once an address is out of attempts, every refusal
      // would otherwise show the named account's remaining failures, a free probe of which
      // accounts exist and are in use.
      RateLimit: formatRateLimit(refusing(decision)),
    },
  });

  return {
    async check(username, ip) {
      const limits = [accountLimit(username), ipLimit(ip)];
      const decision = await store.decide(limits, { peek: true });
      return decision.allowed ? { allowed: true, retryAfterMs: 0 } : refused(limits, decision);
    },
    async admit(username, ip) {
      const limits = [accountLimit(username), ipLimit(ip)];
      const decision = await store.decide(limits);
      if (!decision.allowed) return { ...refused(limits, decision), exhausted: false };
      const exhausted = decision.states.some((state) => state.remaining === 0);
      return { allowed: true, retryAfterMs: 0, exhausted };
    },
    async succeeded(username, ip) {
      const [account, address] = await Promise.allSettled([
        store.reset([loginAccountKey(username)]),
        store.refund([ipLimit(ip)]),
      ]);
      if (account.status === "rejected") {
        // The right password must not count toward the account's lockout even when the store
        // refuses the reset (an ACL without DEL): give this attempt's unit back instead. Only
        // the account's: the address was refunded above, and a second refund would let one
        // address alternate guesses with its own good logins past its budget.
        await store.refund([accountLimit(username)]).catch(() => {});
        throw account.reason;
      }
      if (address.status === "rejected") throw address.reason;
    },
    async refund(username, ip) {
      await store.refund([accountLimit(username), ipLimit(ip)]);
    },
    async forgive(username) {
      await store.reset([loginAccountKey(username)]);
    },
  };
}
