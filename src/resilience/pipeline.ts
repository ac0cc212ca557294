/**
 * Composition: `pipeline(a, b, c).execute(work)` runs `a(b(c(work)))` — the
 * first policy is the outermost, as in Polly's pipeline builder and
 * cockatiel's `wrap`. Each policy hands the next one its signal, so a caller
 * abort or an outer timeout reaches the innermost work.
 *
 * Recommended order for an outbound call (see docs/resilience.md):
 * `pipeline(fallback, retry, breaker, tokenBucket, bulkhead, timeout(attempt))`
 * — the attempt timeout sits inside the breaker so a hung probe counts as a
 * failure, and retry sits outside so each attempt is judged by the breaker.
 * @module
 */
import { neverAbortedSignal } from "./signals.ts";
import type { Policy, Work } from "./types.ts";

/** Any policy, including ones that widen the result type (fallback). */
export interface PolicyLike {
  execute<T>(work: Work<T>, signal?: AbortSignal): Promise<unknown>;
}

/** Several policies run as one, outermost first. */
export class PipelinePolicy implements Policy {
  readonly policies: readonly PolicyLike[];

  constructor(policies: readonly PolicyLike[]) {
    this.policies = policies;
  }

  execute<T>(work: Work<T>, signal?: AbortSignal): Promise<T> {
    return this.run(0, work, signal ?? neverAbortedSignal);
  }

  private run<T>(index: number, work: Work<T>, signal: AbortSignal): Promise<T> {
    const policy = this.policies[index];
    if (!policy) return work(signal);
    // A fallback in the chain may substitute a value; it is the caller's job to
    // make that value fit T (the pipeline cannot express the widened type).
    return policy.execute((inner) => this.run(index + 1, work, inner), signal) as Promise<T>;
  }
}

/** Composes policies, outermost first. */
export function pipeline(...policies: PolicyLike[]): PipelinePolicy {
  return new PipelinePolicy(policies);
}
