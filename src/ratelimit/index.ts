/**
 * Rate limiting: GCRA on Redis, every limit of a request in one script call,
 * failing closed outside development. See docs/ratelimit.md.
 * @module
 */
export { BlockedKeys } from "./blockedKeys.ts";
export {
  type ClientIpOptions,
  clientIpMiddleware,
  resolveClientIp,
  UNKNOWN_CLIENT_IP,
} from "./clientIp.ts";
export {
  isStoreUnavailableError,
  rateLimiterUnavailable,
  STORE_UNAVAILABLE_RETRY_AFTER_S,
  StoreUnavailableError,
  type StoreUnavailableReason,
} from "./errors.ts";
export {
  createRateLimitStore,
  isRateLimitStoreConfigError,
  RateLimitStoreConfigError,
} from "./factory.ts";
export { formatRateLimit, formatRateLimitPolicy, formatRetryAfter } from "./headers.ts";
export { normalizeIp, rateLimitKeyForIp } from "./ipAddress.ts";
export {
  createLoginThrottle,
  type FailureBudget,
  type LoginCheck,
  type LoginThrottle,
  type LoginThrottleOptions,
  loginAccountKey,
  loginBudgetsFromConfig,
  loginIpKey,
  normalizeUsername,
} from "./loginThrottle.ts";
export { createMemoryStore, type MemoryStore, type MemoryStoreOptions } from "./memoryStore.ts";
export { type RateLimitOptions, rateLimit } from "./middleware.ts";
export {
  type Identity,
  limitsFor,
  policiesFromConfig,
  type RateLimitPolicies,
  routeGroupOf,
} from "./policies.ts";
export { probeRateLimitStore, type StoreReadiness } from "./readiness.ts";
export { createRedisStore, type RedisStore, type RedisStoreOptions } from "./redisStore.ts";
export type {
  DecideOptions,
  Decision,
  LimitSpec,
  LimitState,
  RateLimitStore,
  StoreHealth,
} from "./types.ts";
