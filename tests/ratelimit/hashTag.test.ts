/**
 * Every key the limiter writes shares one hash tag, so a script call that
 * decides for many identities is still valid on a Redis Cluster.
 */
import { expect, test } from "bun:test";
import { hashTagOf, LIMITER_TAG } from "../../src/ratelimit/hashTag.ts";
import { loginAccountKey, loginIpKey } from "../../src/ratelimit/loginThrottle.ts";
import { limitsFor, type RateLimitPolicies } from "../../src/ratelimit/policies.ts";

const policies: RateLimitPolicies = {
  anonymous: { limit: 60, windowMs: 60_000 },
  user: { limit: 600, windowMs: 60_000 },
  routes: { market: { limit: 300, windowMs: 60_000 } },
};

test("user, IP, route-group and login keys all carry the limiter's tag", () => {
  const keys = [
    ...limitsFor(policies, { kind: "user", userId: "7d0c…{evil}" }, "market").map((l) => l.key),
    ...limitsFor(policies, { kind: "ip", ip: "2001:db8::1" }, "market").map((l) => l.key),
    ...limitsFor(policies, { kind: "ip", ip: "{x}" }, undefined).map((l) => l.key),
    loginAccountKey("Admin"),
    loginIpKey("198.51.100.7"),
  ];
  expect(keys).toHaveLength(7);
  for (const key of keys) {
    expect(key.startsWith(`${LIMITER_TAG}:`)).toBe(true);
    expect(hashTagOf(key)).toBe("rl");
  }
  // Identities stay apart inside the one slot.
  expect(new Set(keys).size).toBe(keys.length);
});
