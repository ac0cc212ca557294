/**
 * Runs one provider operation through its pipeline and cache, and says how
 * fresh the answer is: `stale: false` for a live or fresh-cached answer,
 * `stale: true` when the provider failed and a cached answer younger than
 * PROVIDER_CACHE_TTL stood in. An operation span (INTERNAL) parents the
 * CLIENT span of every attempt and carries a `provider.retry` event per retry.
 * @module
 */
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Clock } from "../clock/index.ts";
import type { PipelinePolicy, TokenBucketPolicy } from "../resilience/index.ts";
import type { Logger } from "../telemetry/logger.ts";
import type { OperationCaches } from "./cache.ts";
import { isProviderError } from "./errors.ts";
import type { InFlight } from "./inflight.ts";
import { isoTime } from "./shape.ts";
import { type CallContext, withCallContext } from "./transport/index.ts";

/** An answer with its provenance. */
export interface Served<T> {
  data: T;
  source: string;
  stale: boolean;
  /** When the data was fetched from the provider. */
  as_of: string;
  age_ms: number;
}

/** Work of one attempt. */
export type AttemptWork<T> = (signal: AbortSignal) => Promise<T>;

/** Shared parts of every operation of one provider. */
export interface ServeDeps {
  provider: string;
  clock: Clock;
  logger: Logger;
  /** The response caches, one budget per operation. */
  caches: OperationCaches;
  /** Fallback window for stale answers (PROVIDER_CACHE_TTL). */
  staleMs: number;
  /** Undefined for the simulator: it runs in-process, without a pipeline or cache. */
  pipeline: PipelinePolicy | undefined;
  /** The pipeline's token bucket: each HTTP request after an attempt's first takes a token. */
  bucket?: TokenBucketPolicy;
  /** Calls in flight, shared by identical requests. */
  inflight: InFlight;
}

const tracer = trace.getTracer("trading-server/providers");

/** An error as a log field: its name and message (provider messages carry no credentials). */
const described = (error: unknown) => ({
  name: error instanceof Error ? error.name : "error",
  message: error instanceof Error ? error.message : "",
});

/**
 * How long a further request of an attempt (the next page) may wait for its
 * token: two or three tokens at Alpaca's sustained 150/min, so paging goes on
 * at the bucket's rate; longer, and the attempt is refused as our back-pressure.
 */
const FURTHER_REQUEST_WAIT_MS = 1_000;

/**
 * Runs `work` with cache, pipeline and span; `freshMs` is how long a cached answer is served as
 * is. `shapeKey`, for a request whose range moves with the clock (`Rolling`), also keeps the
 * answer under the request's shape, where a later request of that shape finds its stale fallback.
 */
export async function serve<T>(
  deps: ServeDeps,
  operation: string,
  key: string,
  freshMs: number,
  work: AttemptWork<T>,
  signal: AbortSignal,
  shapeKey?: string,
): Promise<Served<T>> {
  const now = deps.clock.now();
  const result = (data: T, at: number, stale: boolean): Served<T> => ({
    data,
    source: deps.provider,
    stale,
    as_of: isoTime(at),
    age_ms: Math.max(0, deps.clock.now() - at),
  });
  const pipeline = deps.pipeline;
  if (!pipeline) return result(await work(signal), now, false);
  const cache = deps.caches.for(operation);
  const cacheKey = `${deps.provider}|${key}`;
  const cached = cache.get<T>(cacheKey);
  // An answer stored "after" now (the wall clock stepped back) is not fresh: its age is unknown.
  const age = cached ? now - cached.storedAt : -1;
  if (cached && age >= 0 && age <= freshMs) return result(cached.data, cached.storedAt, false);

  const shapeCacheKey = shapeKey === undefined ? undefined : `${deps.provider}|~${shapeKey}`;
  const stale = () => {
    const shaped = shapeCacheKey === undefined ? undefined : cache.get<T>(shapeCacheKey);
    for (const entry of [cached, shaped]) {
      const entryAge = entry ? deps.clock.now() - entry.storedAt : -1;
      if (entry && entryAge >= 0 && entryAge <= deps.staleMs) return entry;
    }
    return undefined;
  };
  try {
    // Identical requests in flight share one upstream call (inflight.ts). The operation is part
    // of the key: a quote and a sentiment of one symbol have the same cache key, in two caches.
    const fetched = await deps.inflight.run(
      `${operation}|${cacheKey}`,
      (callSignal) =>
        fetchAndStore(
          deps,
          pipeline,
          { operation, cacheKeys: [cacheKey, shapeCacheKey], work, stale },
          callSignal,
        ),
      signal,
    );
    return result(fetched.data, fetched.at, false);
  } catch (error) {
    const notFound = isProviderError(error) && error.kind === "not_found";
    if (notFound || signal.aborted) throw error;
    const fallback = stale();
    if (fallback) return result(fallback.data, fallback.storedAt, true);
    throw error;
  }
}

/**
 * One upstream call through the pipeline, under an operation span; a good
 * answer goes into the cache. A failure is logged here, once per call, not
 * once per caller that shared it.
 */
async function fetchAndStore<T>(
  deps: ServeDeps,
  pipeline: PipelinePolicy,
  call: {
    operation: string;
    /** Where the answer is kept: the request's key, and its shape's when it has one. */
    cacheKeys: [string, string | undefined];
    work: AttemptWork<T>;
    stale: () => unknown;
  },
  signal: AbortSignal,
): Promise<{ data: T; at: number }> {
  const { operation, cacheKeys, work, stale } = call;
  const span = tracer.startSpan(`provider ${deps.provider} ${operation}`, {
    kind: SpanKind.INTERNAL,
    attributes: { "provider.name": deps.provider, "provider.operation": operation },
  });
  const parent = trace.setSpan(context.active(), span);
  let attempt = 0;
  // What the provider itself last did wrong: the pipeline's final error is often the breaker
  // that the retries then met, and the 500, 429 or timeout that opened it went unlogged (soak).
  let upstream: unknown;
  try {
    const data = await pipeline.execute((attemptSignal) => {
      if (attempt > 0) span.addEvent("provider.retry", { "http.request.resend_count": attempt });
      // Requests this attempt has paid for: the pipeline's token pays for the first.
      let credit = 1;
      const bucket = deps.bucket;
      const callContext: CallContext = {
        clock: deps.clock,
        parent,
        resendCount: attempt++,
        beforeRequest: async (s) => {
          if (credit > 0) credit--;
          else await bucket?.take(1, FURTHER_REQUEST_WAIT_MS, s);
        },
        reserveRequests: async (count, s) => {
          if (count <= credit) return;
          await bucket?.take(count - credit, FURTHER_REQUEST_WAIT_MS, s);
          credit = count;
        },
      };
      return withCallContext(callContext, () => work(attemptSignal)).catch((e: unknown) => {
        upstream = attemptSignal.aborted ? attemptSignal.reason : e;
        throw e;
      });
    }, signal);
    const at = deps.clock.now();
    for (const key of cacheKeys)
      if (key !== undefined) deps.caches.for(operation).set(key, data, at);
    return { data, at };
  } catch (error) {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.name : "error",
    });
    const notFound = isProviderError(error) && error.kind === "not_found";
    if (!notFound && !signal.aborted) {
      deps.logger.warn("provider call failed", {
        provider: deps.provider,
        operation,
        error: described(error),
        ...(upstream !== undefined && upstream !== error && { upstream: described(upstream) }),
      });
      if (stale()) span.setAttribute("provider.stale", true);
    }
    throw error;
  } finally {
    span.end();
  }
}
