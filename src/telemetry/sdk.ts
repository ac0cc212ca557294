/**
 * OpenTelemetry, configured only by the standard `OTEL_*` variables and off
 * unless an exporter endpoint is set. The SDK is imported lazily: it is most
 * of the bundle's start-up cost, and a server without tracing should not pay it.
 *
 * The SDK reads `OTEL_*` from the process environment itself (protocol,
 * headers, sampler, resource); that is the one exception to "only the config
 * module reads the environment", because those names are the SDK's contract.
 * @module
 */
import { ProxyTracerProvider, trace } from "@opentelemetry/api";
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

/** Starts the OTel SDK when requested; otherwise returns a no-op handle. */
export async function startTelemetry(
  env: Record<string, string | undefined>,
  logger: Logger,
  version: string,
): Promise<Telemetry> {
  if (!tracingRequested(env)) return disabled;
  // Traces only unless the operator opts in: the SDK would otherwise also
  // export metrics and logs to the same endpoint by default.
  process.env.OTEL_METRICS_EXPORTER ??= "none";
  process.env.OTEL_LOGS_EXPORTER ??= "none";
  process.env.OTEL_SERVICE_NAME ??= "trading-server";
  // `require`, not `import()`: the bundler hoists an ES module's `node:http`, `zlib`,
  // `child_process`… imports to the top of the binary, where they would be evaluated at
  // every start (~20 ms) even with tracing off. Required CommonJS loads them on this call.
  const { NodeSDK } =
    require("@opentelemetry/sdk-node") as typeof import("@opentelemetry/sdk-node");
  const { resourceFromAttributes } =
    require("@opentelemetry/resources") as typeof import("@opentelemetry/resources");
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ "service.version": version }),
    instrumentations: [],
  });
  sdk.start();
  logger.info("tracing enabled", {
    protocol: env.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf",
  });
  let stopping: Promise<void> | undefined;
  return {
    enabled: true,
    shutdown: () => {
      stopping ??= sdk.shutdown().catch((err: unknown) => {
        logger.warn("telemetry shutdown failed", { error: err });
      });
      return stopping;
    },
  };
}
