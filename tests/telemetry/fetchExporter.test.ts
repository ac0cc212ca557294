/**
 * The fetch OTLP exporter against a real HTTP server on 127.0.0.1: endpoint
 * and header resolution, both encodings, gzip, retries of transient failures,
 * the timeout, and shutdown.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { BasicTracerProvider, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import {
  createFetchSpanExporter,
  isHttpUrl,
  type OtlpTarget,
  otlpTarget,
  parseOtlpHeaders,
} from "../../src/telemetry/fetchExporter.ts";
import { BROTLI_BOMB } from "../providers/fakes/brotliBomb.ts";

interface Received {
  path: string;
  headers: Headers;
  body: Uint8Array;
}

const received: Received[] = [];
/**
 * Statuses to answer with, in order; then 200. `"hang"` never answers; `"endless"` is a 200
 * whose body never ends; `"bomb"` a 200 whose brotli body inflates to 1 GiB.
 */
let script: Array<number | "hang" | "endless" | "bomb"> = [];
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    const body = new Uint8Array(await req.arrayBuffer());
    received.push({ path: new URL(req.url).pathname, headers: req.headers, body });
    const next = script.shift() ?? 200;
    if (next === "hang") return new Promise<Response>(() => {});
    if (next === "endless") {
      const chunk = new Uint8Array(16 * 1024).fill(0x20);
      return new Response(new ReadableStream({ pull: (c) => c.enqueue(chunk) }));
    }
    if (next === "bomb")
      return new Response(BROTLI_BOMB, { headers: { "content-encoding": "br" } });
    return new Response(next === 200 ? "{}" : "busy", { status: next });
  },
});
afterAll(() => server.stop(true));
const base = `http://127.0.0.1:${server.port}`;

/** Two finished spans from a real SDK tracer. */
function spans(): ReadableSpan[] {
  const provider = new BasicTracerProvider();
  const tracer = provider.getTracer("test");
  const out: ReadableSpan[] = [];
  for (const name of ["GET /healthz", "GET /v1/market/quotes/{symbol}"]) {
    const span = tracer.startSpan(name, { attributes: { "http.response.status_code": 200 } });
    span.end();
    out.push(span as unknown as ReadableSpan);
  }
  return out;
}

const exportOnce = (target: OtlpTarget, encoding: "http/json" | "http/protobuf" = "http/json") =>
  new Promise<{ code: number }>((resolve) => {
    createFetchSpanExporter(target, encoding, { backoffMs: [1, 1] }).export(spans(), resolve);
  });

describe("configuration", () => {
  test("endpoint: /v1/traces appended to the base, the traces endpoint used as is", () => {
    expect(otlpTarget({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318/" })?.url).toBe(
      "http://c:4318/v1/traces",
    );
    expect(
      otlpTarget({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://t.example/custom",
      })?.url,
    ).toBe("https://t.example/custom");
    expect(otlpTarget({})).toBeUndefined();
  });

  test.each([
    ["http://collector:4318/v1/traces", true],
    ["https://otel.example.com/v1/traces", true],
    ["collector:4318", false],
    ["not a url", false],
    ["ftp://collector/v1/traces", false],
  ])("%p is an endpoint fetch can send to: %p", (url, ok) => {
    expect(isHttpUrl(url)).toBe(ok);
  });

  test("entries HTTP cannot carry, or not name=value, are dropped by position, never shown", () => {
    const secret = "Q2FuYXJ5T1RMdXNlcjpDYW5hcnlPVExwd1E3dzhlOQ";
    const target = otlpTarget({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://c",
      OTEL_EXPORTER_OTLP_HEADERS: [
        "ok=1",
        "bad name=2",
        "x-inject=a%0D%0Aset-cookie%3A%20s3cret",
        `Authorization: Basic ${secret}==`, // pasted curl-style: splits inside the padding
        `{"x-api-key":"${secret}/x=="}`,
        "",
      ].join(","),
    });
    expect(target?.headers).toEqual({ ok: "1" });
    expect(target?.rejectedHeaders).toEqual([2, 3, 4, 5]);
    const text = JSON.stringify(target);
    for (const part of ["s3cret", secret.slice(0, 12), secret.slice(-12)]) {
      expect(text).not.toContain(part);
    }
  });

  test("headers are percent-decoded, malformed pairs refused by position; TRACES_ wins", () => {
    expect(parseOtlpHeaders("x-api-key=a%20b%3Dc, x-team = desk ,broken,=v,bad=%E0%A4%A,")).toEqual(
      {
        headers: { "x-api-key": "a b=c", "x-team": "desk" },
        rejected: [3, 4, 5],
      },
    );
    const target = otlpTarget({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://c",
      OTEL_EXPORTER_OTLP_HEADERS: "a=1",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "b=2",
      OTEL_EXPORTER_OTLP_TIMEOUT: "2500",
      OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: "gzip",
    });
    expect(target).toEqual({
      url: "http://c/v1/traces",
      headers: { b: "2" },
      rejectedHeaders: [],
      timeoutMs: 2500,
      gzip: true,
    });
    expect(
      otlpTarget({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c", OTEL_EXPORTER_OTLP_TIMEOUT: "x" })
        ?.timeoutMs,
    ).toBe(10_000);
  });
});

describe("export", () => {
  const target = (extra: Partial<OtlpTarget> = {}): OtlpTarget => ({
    url: `${base}/v1/traces`,
    headers: { authorization: "Bearer collector-token" },
    timeoutMs: 2_000,
    gzip: false,
    ...extra,
  });

  test("JSON: the spans arrive as OTLP/JSON with the configured headers", async () => {
    received.length = 0;
    expect((await exportOnce(target())).code).toBe(0);
    const [req] = received;
    expect(req?.path).toBe("/v1/traces");
    expect(req?.headers.get("content-type")).toBe("application/json");
    expect(req?.headers.get("authorization")).toBe("Bearer collector-token");
    const doc = JSON.parse(new TextDecoder().decode(req?.body)) as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }>;
    };
    const names = doc.resourceSpans.flatMap((r) =>
      r.scopeSpans.flatMap((s) => s.spans.map((x) => x.name)),
    );
    expect(names).toEqual(["GET /healthz", "GET /v1/market/quotes/{symbol}"]);
  });

  test("protobuf, gzip: compressed on the wire, the span names inside", async () => {
    received.length = 0;
    expect((await exportOnce(target({ gzip: true }), "http/protobuf")).code).toBe(0);
    const [req] = received;
    expect(req?.headers.get("content-type")).toBe("application/x-protobuf");
    expect(req?.headers.get("content-encoding")).toBe("gzip");
    const plain = Buffer.from(Bun.gunzipSync(req?.body as Uint8Array<ArrayBuffer>));
    expect(plain.includes(Buffer.from("GET /v1/market/quotes/{symbol}"))).toBe(true);
  });

  test("a collector answer is drained up to 64 KiB, never inflated or held whole", async () => {
    for (const answer of ["endless", "bomb"] as const) {
      script = [answer];
      const started = performance.now();
      expect((await exportOnce(target())).code).toBe(0);
      expect(performance.now() - started).toBeLessThan(1500);
    }
  });

  test("429/503 are retried, then success", async () => {
    received.length = 0;
    script = [429, 503];
    expect((await exportOnce(target())).code).toBe(0);
    expect(received).toHaveLength(3);
  });

  test("a redirect is not followed: the credentials never reach another host", async () => {
    const elsewhere: Headers[] = [];
    const other = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        elsewhere.push(req.headers);
        return new Response("{}");
      },
    });
    const redirecting = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () =>
        new Response(null, {
          status: 307,
          headers: { location: `http://127.0.0.1:${other.port}/v1/traces` },
        }),
    });
    try {
      const result = await exportOnce(
        target({
          url: `http://127.0.0.1:${redirecting.port}/v1/traces`,
          headers: { "x-api-key": "collector-key" },
        }),
      );
      expect(result.code).toBe(1);
      expect(elsewhere).toHaveLength(0);
    } finally {
      redirecting.stop(true);
      other.stop(true);
    }
  });

  test("a 400 is not retried; a collector that hangs fails within the timeout", async () => {
    received.length = 0;
    script = [400];
    expect((await exportOnce(target())).code).toBe(1);
    expect(received).toHaveLength(1);
    script = ["hang"];
    const started = performance.now();
    expect((await exportOnce(target({ timeoutMs: 150 }))).code).toBe(1);
    expect(performance.now() - started).toBeLessThan(1_000);
    script = [];
  });

  test("after shutdown, exports fail at once and nothing is sent", async () => {
    received.length = 0;
    const exporter = createFetchSpanExporter(target(), "http/json");
    await exporter.shutdown();
    const result = await new Promise<{ code: number }>((resolve) =>
      exporter.export(spans(), resolve),
    );
    expect(result.code).toBe(1);
    expect(received).toHaveLength(0);
  });
});
