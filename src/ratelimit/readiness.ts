/**
 * The rate-limit store as a `/readyz` component: a live PING for Redis (a hung
 * server still looks connected until something is asked of it), the plain
 * health for the development store.
 * @module
 */
import type { RateLimitStore, StoreHealth } from "./types.ts";

/** Component state in the shape `/readyz` reports (`ok`, `state`). */
export interface StoreReadiness {
  ok: boolean;
  state: StoreHealth["state"];
}

/** Asks the store (within its deadline) whether it can decide right now. */
export async function probeRateLimitStore(store: RateLimitStore): Promise<StoreReadiness> {
  const probe = (store as { probe?: () => Promise<StoreHealth> }).probe;
  const health = probe ? await probe.call(store) : store.health();
  return { ok: health.state === "ready", state: health.state };
}
