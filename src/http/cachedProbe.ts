/**
 * Readiness answers shared for a short while. `/readyz` is public and outside
 * the /v1 rate limiter (load balancers call it without credentials); without
 * this, every call would run a database query and a Redis round trip, so a
 * flood of probes would become a flood of dependency traffic. Concurrent
 * callers always share the probe in flight; a ready answer then serves for
 * `ttlMs`, so an outage shows within that time. An answer naming a failed
 * component is not kept: recovery shows on the first call after it.
 * @module
 */
import type { ReadinessProbe } from "./routes/health.ts";

/** Options of {@link cachedProbe}. */
export interface CachedProbeOptions {
  /** How long one answer serves (default 1000 ms: a fresh state within a second). */
  ttlMs?: number;
  /** Monotonic milliseconds (tests inject their own). */
  now?: () => number;
  /**
   * A cheap local signal checked on every call (a connection flag): when it
   * says no, the kept answer is dropped, so a dependency that dropped its
   * connection shows at once; only a hung one waits for the TTL.
   */
  stillValid?: () => boolean;
}

/** Wraps `probe` so it runs at most once per `ttlMs`, however often it is asked. */
export function cachedProbe(
  probe: ReadinessProbe,
  options: CachedProbeOptions = {},
): ReadinessProbe {
  const ttlMs = options.ttlMs ?? 1000;
  const now = options.now ?? (() => performance.now());
  let current: { at: number; answer: ReturnType<ReadinessProbe> } | undefined;
  let inFlight: ReturnType<ReadinessProbe> | undefined;
  return () => {
    // A probe still running is shared whatever the local signal says: during an outage
    // a flood of /readyz must not become a flood of probes.
    if (inFlight) return inFlight;
    const t = now();
    if (current && t - current.at < ttlMs && (options.stillValid?.() ?? true)) {
      return current.answer;
    }
    const answer = probe();
    inFlight = answer;
    current = undefined;
    answer.then(
      (components) => {
        inFlight = undefined;
        if (Object.values(components).every((c) => c.ok)) current = { at: t, answer };
      },
      () => {
        inFlight = undefined;
      },
    );
    return answer;
  };
}
