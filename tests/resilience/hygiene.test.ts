import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  CircuitBreaker,
  constantBackoff,
  IsolatedCircuitError,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isIsolatedCircuitError,
  isTimeoutError,
  isTokenBucketRejectedError,
  ManualScheduler,
  pipeline,
  retry,
  TimeoutError,
  TokenBucketRejectedError,
  timeout,
} from "../../src/resilience/index.ts";
import { countingController, failing, rejectionOf, succeeding } from "./support/deferred.ts";

/** Counts real timers created while `fn` runs (the global timer functions, wrapped). */
async function timersCreatedBy(fn: () => Promise<void>): Promise<number> {
  const realTimeout = globalThis.setTimeout;
  const realInterval = globalThis.setInterval;
  let created = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    created++;
    return realTimeout(...args);
  }) as typeof setTimeout;
  globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
    created++;
    return realInterval(...args);
  }) as typeof setInterval;
  try {
    await fn();
  } finally {
    globalThis.setTimeout = realTimeout;
    globalThis.setInterval = realInterval;
  }
  return created;
}

describe("idle cost", () => {
  test("10,000 breakers through closed, open and half-open hold zero timers", async () => {
    const s = new ManualScheduler();
    const breakers: CircuitBreaker[] = [];
    const created = await timersCreatedBy(async () => {
      for (let i = 0; i < 10_000; i++) {
        const b = new CircuitBreaker({ clock: s, failureThreshold: 1, breakDuration: 10 });
        await b.execute(succeeding(1));
        await rejectionOf(b.execute(failing()));
        breakers.push(b);
      }
      await s.advance(10);
      for (const b of breakers) await b.execute(succeeding(1));
    });
    expect(created).toBe(0);
    expect(s.pending).toBe(0);
    expect(breakers.every((b) => b.state === "closed")).toBe(true);
  });

  test("no listener survives on the caller's signal after retry + breaker + timeout", async () => {
    const s = new ManualScheduler();
    const { controller, live } = countingController();
    let calls = 0;
    const policy = pipeline(
      retry({ maxAttempts: 20, backoff: constantBackoff(5), scheduler: s }),
      new CircuitBreaker({ clock: s, failureThreshold: 100 }),
      timeout(1_000, { scheduler: s }),
    );
    const p = policy.execute(async () => {
      if (++calls < 20) throw new Error("again");
      return "ok";
    }, controller.signal);
    await s.advance(200);
    expect(await p).toBe("ok");
    expect(live()).toBe(0);
    expect(s.pending).toBe(0);
  });
});

describe("errors", () => {
  test("branded classes with guards; fast rejections are real Errors without a captured stack", async () => {
    const broken = BrokenCircuitError.fast(5);
    expect(broken).toBeInstanceOf(BrokenCircuitError);
    expect(broken).toBeInstanceOf(Error);
    expect([broken.name, broken.message, broken.retryAfterMs]).toEqual([
      "BrokenCircuitError",
      "Circuit is open",
      5,
    ]);
    expect(broken.stack).not.toContain("hygiene.test");
    expect(new BrokenCircuitError(5).stack).toContain("hygiene.test");
    const isolated = IsolatedCircuitError.fast();
    expect(isolated).toBeInstanceOf(IsolatedCircuitError);
    expect([isIsolatedCircuitError(isolated), isBrokenCircuitError(isolated)]).toEqual([
      true,
      true,
    ]);
    expect(isBulkheadRejectedError(BulkheadRejectedError.fast("full"))).toBe(true);
    expect(isTokenBucketRejectedError(TokenBucketRejectedError.fast(3))).toBe(true);
    expect(isTimeoutError(new TimeoutError(1))).toBe(true);
    for (const guard of [isBrokenCircuitError, isTimeoutError, isBulkheadRejectedError]) {
      expect([
        guard(new Error("x")),
        guard(null),
        guard("x"),
        guard({ isTimeoutError: "yes" }),
      ]).toEqual([false, false, false, false]);
    }
    const b = new CircuitBreaker({ failureThreshold: 1 });
    await rejectionOf(b.execute(failing()));
    const rejection = await rejectionOf(b.execute(succeeding(1)));
    expect((rejection as Error).stack).not.toContain("hygiene.test");
    const full = bulkhead({ maxConcurrent: 1 });
    const hold = full.execute(() => new Promise((r) => setImmediate(r)));
    expect(isBulkheadRejectedError(await rejectionOf(full.execute(succeeding(1))))).toBe(true);
    await hold;
  });
});

class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

describe("OpenTelemetry", () => {
  const spans = new InMemorySpanExporter();
  const reader = new CollectingReader();
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
    );
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  });
  afterAll(() => {
    trace.disable();
    context.disable();
    metrics.disable();
  });

  test("retries and state changes are span events; outcomes are counted", async () => {
    const s = new ManualScheduler();
    const breaker = new CircuitBreaker({ name: "otel", clock: s, failureThreshold: 2 });
    const policy = pipeline(
      retry({ name: "r", maxAttempts: 2, backoff: constantBackoff(0), scheduler: s }),
      breaker,
    );
    await trace.getTracer("test").startActiveSpan("call", async (span) => {
      await rejectionOf(policy.execute(failing()));
      span.end();
    });
    const events = spans.getFinishedSpans()[0]?.events ?? [];
    expect(events.map((e) => e.name)).toEqual([
      "resilience.retry",
      "resilience.circuit.state_change",
    ]);
    expect(events[1]?.attributes).toMatchObject({
      "resilience.name": "otel",
      "resilience.circuit.from": "closed",
      "resilience.circuit.to": "open",
    });
    const { resourceMetrics } = await reader.collect();
    const points = resourceMetrics.scopeMetrics
      .flatMap((m) => m.metrics)
      .filter((m) => m.descriptor.name === "resilience.outcomes")
      .flatMap((m) => m.dataPoints as { attributes: Record<string, unknown>; value: unknown }[]);
    const byOutcome = Object.fromEntries(
      points
        .filter(
          (p) =>
            p.attributes["resilience.name"] === "otel" || p.attributes["resilience.policy"] === "r",
        )
        .map((p) => [p.attributes["resilience.outcome"], p.value]),
    );
    expect(byOutcome).toEqual({ failure: 2, retry: 1 });
  });
});
