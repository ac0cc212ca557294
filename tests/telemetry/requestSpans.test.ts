/**
 * What any change to how the request span is carried (tracing.ts; a span that is
 * not active for the whole request was measured twice, docs/performance.md) must
 * keep: provider spans are its children, the CLIENT span is a child of the
 * provider span, and the access log carries the request's trace id. Real app,
 * real Alpaca adapter against a fake on 127.0.0.1.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { context, propagation, SpanKind, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import type { MiddlewareHandler } from "hono";
import { ManualClock } from "../../src/clock/index.ts";
import { createApp } from "../../src/http/app.ts";
import type { AppEnv } from "../../src/http/context.ts";
import { registerMarketRoutes } from "../../src/http/routes/market.ts";
import { createProviders } from "../../src/providers/index.ts";
import { BreakerRegistry } from "../../src/resilience/index.ts";
import { createLogger, silentLogger } from "../../src/telemetry/logger.ts";
import { alpacaConfig } from "../providers/fakes/alpacaConfig.ts";
import { startFake } from "../providers/fakes/fakeServer.ts";
import { alpacaRoutes } from "../providers/fakes/payloads.ts";

const fake = startFake(alpacaRoutes);
const exporter = new InMemorySpanExporter();
const contextManager = new AsyncLocalStorageContextManager();
const lines: string[] = [];

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
});
afterAll(() => {
  trace.disable();
  propagation.disable();
  context.disable();
  fake.stop();
});

const setIp: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("clientIp", "127.0.0.1");
  await next();
};

function app() {
  const clock = new ManualClock(Date.parse("2024-03-15T18:00:00Z"));
  const providers = createProviders(
    alpacaConfig(fake.url, { PROVIDER_ATTEMPT_TIMEOUT: 1_000, PROVIDER_TOTAL_TIMEOUT: 2_000 }),
    { clock, logger: silentLogger, registry: new BreakerRegistry() },
  );
  const pass: MiddlewareHandler<AppEnv> = async (_c, next) => next();
  return createApp({
    config: { environment: "production", BODY_LIMIT: 1024 },
    logger: createLogger("info", (line) => lines.push(line)),
    version: "test",
    readiness: async () => ({}),
    clientIp: setIp,
    v1Middleware: [],
    routes: [(a) => registerMarketRoutes(a, { providers, authorize: pass })],
  });
}

test("provider spans are children of the request span; the access log has its trace id", async () => {
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  const res = await app().request("/v1/market/quotes/AAPL", {
    headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
  });
  expect(res.status).toBe(200);
  const spans = exporter.getFinishedSpans();
  const server = spans.find((s) => s.kind === SpanKind.SERVER);
  const internal = spans.find((s) => s.kind === SpanKind.INTERNAL);
  const client = spans.find((s) => s.kind === SpanKind.CLIENT);
  expect(server?.name).toBe("GET /v1/market/quotes/:symbol");
  expect(server?.parentSpanContext?.spanId).toBe("00f067aa0ba902b7");
  expect(internal?.name).toBe("provider alpaca quote");
  expect(internal?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
  expect(client?.parentSpanContext?.spanId).toBe(internal?.spanContext().spanId);
  for (const s of [server, internal, client]) expect(s?.spanContext().traceId).toBe(traceId);

  const access = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "request");
  expect(access?.trace_id).toBe(traceId);
  // Nothing stays active after the request: the next one starts from the incoming headers only.
  expect(trace.getActiveSpan()).toBeUndefined();
});

test("a request without traceparent starts a fresh trace, and the log names it", async () => {
  exporter.reset();
  lines.length = 0;
  expect((await app().request("/v1/market/quotes/IBM")).status).toBe(200);
  const server = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER);
  expect(server?.parentSpanContext).toBeUndefined();
  const access = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "request");
  expect(access?.trace_id).toBe(server?.spanContext().traceId);
});

test("a token pasted into the path does not reach the span's url.path", async () => {
  exporter.reset();
  const token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl";
  await app().request(`/v1/market/quotes/${token}`);
  const server = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER);
  expect(server?.attributes["url.path"]).toBe("/v1/market/quotes/[redacted-token]");
  expect(JSON.stringify(exporter.getFinishedSpans().map((s) => s.attributes))).not.toContain(
    "eyJzdWIi",
  );
});

test("a token pasted into the User-Agent does not reach the span either", async () => {
  exporter.reset();
  const token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl";
  await app().request("/v1/market/quotes/IBM", {
    headers: { "user-agent": `Mozilla/5.0 Bearer ${token} ${"x".repeat(400)}` },
  });
  const server = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER);
  const recorded = String(server?.attributes["user_agent.original"]);
  expect(recorded.startsWith("Mozilla/5.0 Bearer [redacted-token] x")).toBe(true);
  expect(recorded).toHaveLength(256);
  expect(JSON.stringify(exporter.getFinishedSpans().map((s) => s.attributes))).not.toContain(
    "eyJzdWIi",
  );
});

test("a long path is cut in the span as in the access log: 512 characters", async () => {
  exporter.reset();
  await app().request(`/v1/market/quotes/${"A".repeat(12_000)}`);
  const server = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER);
  const path = String(server?.attributes["url.path"]);
  expect(path).toBe(`${`/v1/market/quotes/${"A".repeat(12_000)}`.slice(0, 512)}…`);
});
