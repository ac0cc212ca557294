/**
 * Which limits apply to a request: one per identity (the user when a valid
 * token was presented, else the client IP) plus, when `RATE_LIMIT_ROUTES`
 * configures one, a per-identity limit for the request's route group. Every
 * limiter key carries the one shared hash tag (`LIMITER_TAG`), so one script
 * call can decide all of a request's limits, and several requests at once.
 * @module
 */

import type { Config, RateSpec } from "../config/index.ts";
import { LIMITER_TAG } from "./hashTag.ts";
import { rateLimitKeyForIp } from "./ipAddress.ts";
import type { LimitSpec } from "./types.ts";

/** The HTTP limits, usually from {@link policiesFromConfig}. */
export interface RateLimitPolicies {
  /** Per client IP when no valid token was presented (`RATE_LIMIT_ANONYMOUS`, 60/1m). */
  anonymous: RateSpec;
  /** Per user when a valid token was presented (`RATE_LIMIT_USER`, 600/1m). */
  user: RateSpec;
  /** Per route group, per identity, in addition to the above (`RATE_LIMIT_ROUTES`). */
  routes: Record<string, RateSpec>;
}

/** The policies configured by the environment. */
export function policiesFromConfig(
  config: Pick<Config, "RATE_LIMIT_ANONYMOUS" | "RATE_LIMIT_USER" | "RATE_LIMIT_ROUTES">,
): RateLimitPolicies {
  return {
    anonymous: config.RATE_LIMIT_ANONYMOUS,
    user: config.RATE_LIMIT_USER,
    routes: config.RATE_LIMIT_ROUTES,
  };
}

/**
 * The route group of a path: its first segment after `/v1/`, lowercased
 * (`/v1/market/quotes/X` → `market`, `/v1/admin/users` → `admin`,
 * `/v1/auth/login` → `auth`, `/v1/news` → `news`). Undefined outside `/v1`.
 */
export function routeGroupOf(path: string): string | undefined {
  const match = /^\/v1\/([A-Za-z0-9_-]{1,32})(?:\/|$)/.exec(path);
  return match?.[1]?.toLowerCase();
}

/**
 * Routes that authenticate by what the body carries (a password, a refresh
 * token), never by a bearer: limited per IP even when a valid access token is
 * attached, or any token (a logged-out one verifies until `exp`) would lift
 * their budget from the anonymous 60/min to the user's 600/min.
 */
export const CREDENTIAL_PATHS: ReadonlySet<string> = new Set([
  "/v1/auth/login",
  "/v1/auth/refresh",
]);

/** Who a request is, for rate limiting. */
export type Identity = { kind: "user"; userId: string } | { kind: "ip"; ip: string };

/** A string safe inside a key; anything unusual is hashed rather than trusted. */
function keySafe(value: string): string {
  if (/^[A-Za-z0-9_.:/-]{1,128}$/.test(value)) return value;
  return new Bun.CryptoHasher("sha256").update(value).digest("hex").slice(0, 32);
}

/** The limits of one request, identity first. */
export function limitsFor(
  policies: RateLimitPolicies,
  identity: Identity,
  group: string | undefined,
): LimitSpec[] {
  const tag =
    identity.kind === "user"
      ? `${LIMITER_TAG}:u:${keySafe(identity.userId)}`
      : `${LIMITER_TAG}:ip:${rateLimitKeyForIp(identity.ip)}`;
  const base = identity.kind === "user" ? policies.user : policies.anonymous;
  const limits: LimitSpec[] = [{ name: identity.kind, key: `${tag}:all`, ...base }];
  // Own keys only: a path like /v1/constructor must not find Object.prototype.
  const override =
    group === undefined || !Object.hasOwn(policies.routes, group)
      ? undefined
      : policies.routes[group];
  if (group !== undefined && override) {
    limits.push({ name: group, key: `${tag}:g:${group}`, ...override });
  }
  return limits;
}
