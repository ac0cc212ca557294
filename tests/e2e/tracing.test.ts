/**
 * Spans from the compiled binary, received by a local OTLP/HTTP receiver.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type ReceivedSpan, startOtlpReceiver } from "./support/otlpReceiver.ts";
import { baseEnv, type ServerProcess, startServer } from "./support/process.ts";

let receiver: ReturnType<typeof startOtlpReceiver>;
let server: ServerProcess;

beforeAll(async () => {
  receiver = startOtlpReceiver();
  server = await startServer(
    baseEnv({
      ENVIRONMENT: "development",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "50",
    }),
  );
});
afterAll(() => {
  if (server.proc.exitCode === null) server.proc.kill("SIGKILL");
  receiver.stop();
});

test("a SERVER span per request with semantic-convention attributes, continuing traceparent", async () => {
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  await fetch(`${server.url}/healthz`, {
    headers: {
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      "user-agent": "e2e-agent/1.0",
    },
  });
  await fetch(`${server.url}/does-not-exist`);
  // Shutdown flushes the batch processor.
  expect(await server.stop()).toBe(0);

  // The harness's own readiness polls also produce /healthz spans; ours is the one in the given trace.
  const health = receiver.spans.find((s) => s.traceId === traceId) as ReceivedSpan;
  expect(health).toBeDefined();
  expect(health.kind).toBe(2); // SERVER
  expect(health.name).toBe("GET /healthz");
  expect(health.parentSpanId).toBe("00f067aa0ba902b7");
  expect(health.attributes).toMatchObject({
    "http.request.method": "GET",
    "url.path": "/healthz",
    "url.scheme": "http",
    "http.route": "/healthz",
    "http.response.status_code": 200,
    "client.address": "127.0.0.1",
    "user_agent.original": "e2e-agent/1.0",
  });
  const missing = receiver.spans.find((s) => s.attributes["url.path"] === "/does-not-exist");
  expect(missing?.name).toBe("GET");
  expect(missing?.attributes["http.response.status_code"]).toBe(404);
  expect(missing?.attributes["http.route"]).toBeUndefined();
});

test("the default protocol is http/protobuf: the same span arrives protobuf-encoded", async () => {
  const traceId = "0af7651916cd43dd8448eb211c80319c";
  const protobuf = await startServer(
    baseEnv({
      ENVIRONMENT: "development",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: "desk-api",
      OTEL_BSP_SCHEDULE_DELAY: "50",
    }),
  );
  await fetch(`${protobuf.url}/healthz`, {
    headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
  });
  expect(await protobuf.stop()).toBe(0);
  // Protobuf carries strings as UTF-8 and ids as raw bytes: find them without a decoder.
  const batches = receiver.protobufBatches.map((b) => Buffer.from(b));
  const ours = batches.find((b) => b.includes(Buffer.from(traceId, "hex")));
  expect(ours).toBeDefined();
  for (const text of ["GET /healthz", "desk-api", "http.response.status_code"]) {
    expect(ours?.includes(Buffer.from(text))).toBe(true);
  }
});

test("an OTLP protocol we do not ship (grpc) leaves tracing off; the server still serves", async () => {
  const before = receiver.spans.length + receiver.protobufBatches.length;
  const grpc = await startServer(
    baseEnv({
      ENVIRONMENT: "development",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      OTEL_BSP_SCHEDULE_DELAY: "50",
    }),
  );
  expect((await fetch(`${grpc.url}/healthz`)).status).toBe(200);
  expect(await grpc.stop()).toBe(0);
  expect(grpc.logs()).toContain("tracing disabled: unsupported OTLP protocol");
  expect(receiver.spans.length + receiver.protobufBatches.length).toBe(before);
});

test("batch settings the SDK would hang on are ignored with a warning, and shutdown is prompt", async () => {
  // A zero batch made the SDK's shutdown loop without end, growing until the kernel killed it.
  const odd = await startServer(
    baseEnv({
      ENVIRONMENT: "development",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "0",
    }),
  );
  try {
    await fetch(`${odd.url}/healthz`);
    const exited = await Promise.race([odd.stop(), Bun.sleep(10_000).then(() => "hung")]);
    expect(exited).toBe(0);
    const warning = odd
      .logs()
      .split("\n")
      .filter((line) => line.includes("OTEL_BSP settings ignored"))
      .map((line) => (JSON.parse(line) as { variables: string[] }).variables);
    expect(warning).toEqual([["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"]]);
  } finally {
    if (odd.proc.exitCode === null) odd.proc.kill("SIGKILL");
  }
}, 20_000);
