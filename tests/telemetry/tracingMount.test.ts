/**
 * The span middleware is mounted only when a tracer provider is registered:
 * with the SDK on, every request still gets its SERVER span.
 */
import { afterEach, expect, test } from "bun:test";
import { trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import type { MiddlewareHandler } from "hono";
import { createApp } from "../../src/http/app.ts";
import type { AppEnv } from "../../src/http/context.ts";
import { silentLogger } from "../../src/telemetry/logger.ts";
import { tracerRegistered } from "../../src/telemetry/sdk.ts";

const setIp: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("clientIp", "203.0.113.9");
  await next();
};

const build = (tracing: boolean | undefined) =>
  createApp({
    config: { environment: "production", BODY_LIMIT: 1024 },
    logger: silentLogger,
    version: "test",
    readiness: async () => ({ database: { ok: true, state: "ready" } }),
    clientIp: setIp,
    v1Middleware: [],
    routes: [],
    ...(tracing === undefined ? {} : { tracing }),
  });

afterEach(() => trace.disable());

test("tracerRegistered follows the global provider", () => {
  expect(tracerRegistered()).toBe(false);
  trace.setGlobalTracerProvider(new BasicTracerProvider());
  expect(tracerRegistered()).toBe(true);
  trace.disable();
  expect(tracerRegistered()).toBe(false);
});

test("spans are recorded when tracing is mounted (the default) and not when it is off", async () => {
  const exporter = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  expect((await build(undefined).request("/healthz")).status).toBe(200);
  expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(["GET /healthz"]);
  expect((await build(false).request("/healthz")).status).toBe(200);
  expect(exporter.getFinishedSpans()).toHaveLength(1);
  expect((await build(true).request("/healthz")).status).toBe(200);
  expect(exporter.getFinishedSpans()).toHaveLength(2);
});
