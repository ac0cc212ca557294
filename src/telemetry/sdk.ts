/**
 * OpenTelemetry traces, configured only by the standard `OTEL_*` variables
 * and off unless an exporter endpoint is set. The SDK is loaded lazily: a
 * server without tracing should not pay for it.
 *
 * Endpoint, protocol, headers, timeout and compression are read here from the
 * `env` given to startTelemetry (our exporter, fetchExporter.ts), and so is
 * `OTEL_BSP_*` (batchSettings.ts: the SDK took values that hung it). The SDK
 * parts read their own `OTEL_*` (sampler, resource attributes) from the process
 * environment: the one exception to "only the config module reads the
 * environment", because those names are the SDK's contract.
 * @module
 */
import { context, ProxyTracerProvider, propagation, trace } from "@opentelemetry/api";
import type { Logger } from "./logger.ts";

/** A started telemetry pipeline. */
export interface Telemetry {
  enabled: boolean;
  /** Flushes pending spans and stops exporting; safe to call twice. */
  shutdown(): Promise<void>;
}

const disabled: Telemetry = { enabled: false, shutdown: async () => {} };

// What the global provider delegates to while no SDK is registered (the API's no-op singleton).
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * True when a tracer provider is registered globally (the SDK was started),
 * so spans would be recorded; false while every tracer is a no-op.
 */
export function tracerRegistered(): boolean {
  const provider = trace.getTracerProvider();
  const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  return delegate !== NOOP_PROVIDER;
}

/** True when the environment asks for trace export. */
export function tracingRequested(env: Record<string, string | undefined>): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === "none") return false;
  return Boolean(
    env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim(),
  );
}

/** OTLP encodings we export with (`OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`). */
const PROTOCOLS = ["http/protobuf", "http/json"] as const;
type Protocol = (typeof PROTOCOLS)[number];

/** The configured protocol, or undefined when it is one we do not ship (grpc). */
function tracesProtocol(env: Record<string, string | undefined>): Protocol | undefined {
  const value = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?.trim() ||
    env.OTEL_EXPORTER_OTLP_PROTOCOL?.trim() ||
    "http/protobuf"
  ).toLowerCase();
  return (PROTOCOLS as readonly string[]).includes(value) ? (value as Protocol) : undefined;
}

/**
 * Starts trace export when requested; otherwise returns a no-op handle.
 *
 * A trace-only pipeline, not `NodeSDK`: that one bundles metrics, logs,
 * gRPC, Zipkin, Prometheus and a YAML configuration loader — about 2.5 MB of
 * the binary's 4 MB of JavaScript, loaded at every start. Spans go out
 * through our `fetch` exporter (fetchExporter.ts), which reads endpoint,
 * headers, timeout and compression; the SDK parts read
 * `OTEL_TRACES_SAMPLER[_ARG]` (provider), `OTEL_BSP_*` (read by batchSettings.ts, never by the SDK),
 * `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` (resource).
 */
export async function startTelemetry(
  env: Record<string, string | undefined>,
  logger: Logger,
  version: string,
): Promise<Telemetry> {
  if (!tracingRequested(env)) return disabled;
  const protocol = tracesProtocol(env);
  if (!protocol) {
    logger.warn("tracing disabled: unsupported OTLP protocol (use http/protobuf or http/json)");
    return disabled;
  }
  // `require`, not `import()`: the bundler hoists an ES module's builtin imports to the
  // top of the binary, where they would be evaluated at every start even with tracing
  // off. Required CommonJS loads them on this call only.
  const base =
    require("@opentelemetry/sdk-trace-base") as typeof import("@opentelemetry/sdk-trace-base");
  const resources =
    require("@opentelemetry/resources") as typeof import("@opentelemetry/resources");
  const core = require("@opentelemetry/core") as typeof import("@opentelemetry/core");
  const { AsyncLocalStorageContextManager } =
    require("@opentelemetry/context-async-hooks") as typeof import("@opentelemetry/context-async-hooks");
  const { createFetchSpanExporter, isHttpUrl, otlpTarget } =
    require("./fetchExporter.ts") as typeof import("./fetchExporter.ts");
  const { batchSettings } = require("./batchSettings.ts") as typeof import("./batchSettings.ts");
  const target = otlpTarget(env);
  if (!target) return disabled; // unreachable: tracingRequested() saw an endpoint
  if (!isHttpUrl(target.url)) {
    // Not the value: an endpoint URL may carry credentials.
    logger.warn("tracing disabled: the OTLP endpoint is not an http(s) URL");
    return disabled;
  }
  if (target.rejectedHeaders?.length) {
    // Positions only: a misformatted entry's "name" can be most of a credential.
    logger.warn("OTLP headers dropped: not name=value, or not valid in HTTP", {
      entries: target.rejectedHeaders,
    });
  }

  const resource = resources
    .defaultResource()
    .merge(
      resources.resourceFromAttributes({
        "service.name": env.OTEL_SERVICE_NAME?.trim() || "trading-server",
        "service.version": version,
      }),
    )
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new base.BasicTracerProvider({
    resource,
    spanProcessors: [
      new base.BatchSpanProcessor(
        createFetchSpanExporter(target, protocol),
        batchSettings(env, logger),
      ),
    ],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(
    new core.CompositePropagator({
      propagators: [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator()],
    }),
  );
  trace.setGlobalTracerProvider(provider);
  logger.info("tracing enabled", { protocol });
  let stopping: Promise<void> | undefined;
  return {
    enabled: true,
    shutdown: () => {
      stopping ??= provider
        .shutdown()
        .catch((err: unknown) => {
          logger.warn("telemetry shutdown failed", { error: err });
        })
        .finally(() => {
          trace.disable();
          propagation.disable();
          context.disable();
        });
      return stopping;
    },
  };
}
