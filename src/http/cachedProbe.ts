/**
 * Readiness answers shared for a short while. `/readyz` is public and outside
 * the /v1 rate limiter (load balancers call it without credentials); without
 * this, every call would run a database query and a Redis round trip, so a
 * flood of probes would become a flood of dependency traffic. Concurrent
 * callers share one probe in flight; a ready answer then serves for `ttlMs`,
 * so an outage shows within that time. An answer naming a failed component
 * is not kept: recovery shows on the next call.
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
  return () => {
    const t = now();
    if (current && t - current.at < ttlMs && (options.stillValid?.() ?? true)) {
      return current.answer;
    }
    const answer = probe();
    current = { at: t, answer };
    const forget = () => {
      if (current?.answer === answer) current = undefined;
    };
    answer.then((components) => {
      if (!Object.values(components).every((c) => c.ok)) forget();
    }, forget);
    return answer;
  };
}
