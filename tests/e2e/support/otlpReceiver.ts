/**
 * A local OTLP/HTTP trace receiver on 127.0.0.1, collecting every span the
 * server under test exports: JSON batches decoded into spans, protobuf
 * batches kept as bytes.
 */

/** A received span, flattened. */
export interface ReceivedSpan {
  name: string;
  kind: number;
  traceId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  status?: { code?: number };
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}

const attributeValue = (v: OtlpValue): unknown =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue));

/** Starts the receiver; `spans` fills as batches arrive. */
export function startOtlpReceiver() {
  const spans: ReceivedSpan[] = [];
  const protobufBatches: Uint8Array[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      if (req.method !== "POST" || url.pathname !== "/v1/traces")
        return new Response(null, { status: 404 });
      if (req.headers.get("content-type") === "application/x-protobuf") {
        protobufBatches.push(new Uint8Array(await req.arrayBuffer()));
        return new Response(new Uint8Array(), {
          headers: { "content-type": "application/x-protobuf" },
        });
      }
      const body = (await req.json()) as {
        resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }>;
      };
      for (const rs of body.resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            const attributes: Record<string, unknown> = {};
            for (const a of (s.attributes as Array<{ key: string; value: OtlpValue }>) ?? []) {
              attributes[a.key] = attributeValue(a.value);
            }
            spans.push({
              name: s.name as string,
              kind: s.kind as number,
              traceId: s.traceId as string,
              parentSpanId: (s.parentSpanId as string) || undefined,
              attributes,
              status: s.status as { code?: number },
            });
          }
        }
      }
      return Response.json({});
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    spans,
    protobufBatches,
    stop: () => server.stop(true),
  };
}
