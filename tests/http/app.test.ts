/**
 * The assembled app's core behaviour, in-process: error model, request ids,
 * security headers, body limits, 404 vs 405, and that nothing unexpected
 * escapes as a stack trace.
 */
import { describe, expect, test } from "bun:test";
import { newRefreshToken } from "../../src/auth/refreshTokens.ts";
import { createApp } from "../../src/http/app.ts";
import { createLogger } from "../../src/telemetry/logger.ts";
import { build, errorOf, setIp } from "./support/testApp.ts";

describe("error model", () => {
  test("404 has the pinned body with the request id", async () => {
    const res = await build().request("/nowhere", { headers: { "x-request-id": "abc-123" } });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toEqual({
      error: { code: "not_found", message: "Not found.", request_id: "abc-123" },
    });
  });

  test("a trailing slash is a different, unknown path: 404, not a 405 advertising GET", async () => {
    const res = await build().request("/healthz/");
    expect(res.status).toBe(404);
    expect(res.headers.get("allow")).toBeNull();
  });

  test("405 with Allow when the path exists under another method", async () => {
    const res = await build().request("/v1/echo", { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect((await errorOf(res)).code).toBe("method_not_allowed");
  });

  test("an unexpected error is a bare 500 internal: no message, no stack", async () => {
    const lines: string[] = [];
    const res = await build({ lines }).request("/v1/boom");
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("at ");
    expect(JSON.parse(text).error.code).toBe("internal");
  });

  test("ApiError headers are kept", async () => {
    const res = await build().request("/v1/teapot");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
  });
});

describe("validation", () => {
  const post = (body: string, type = "application/json") =>
    build().request("/v1/echo", { method: "POST", body, headers: { "content-type": type } });

  test("a valid body passes", async () => {
    const res = await post('{"name":"ok"}');
    expect(res.status).toBe(200);
  });

  test.each([
    ["malformed JSON", "{not json"],
    ["wrong type", '{"name":5}'],
    ["too long", '{"name":"aaaaaaaaaaaaaaaa"}'],
    ["array", "[]"],
    ["null", "null"],
    ["empty", ""],
  ])("%s → 400 invalid_request", async (_, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("invalid_request");
  });

  test("a body that is not valid UTF-8 is refused, never decoded with replacement characters", async () => {
    const bytes = (tail: number[]) =>
      new Uint8Array([...Buffer.from('{"name":"a'), ...tail, ...Buffer.from('"}')]);
    for (const tail of [[0xff], [0xfe], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
      const res = await build().request("/v1/echo", {
        method: "POST",
        body: bytes(tail),
        headers: { "content-type": "application/json; charset=utf-8" },
      });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).message).toBe("The request body is not valid UTF-8.");
    }
    // Valid multi-byte text and a leading BOM are read as before.
    const ok = await build().request("/v1/echo", {
      method: "POST",
      body: new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('{"name":"zoë €"}')]),
      headers: { "content-type": "application/json" },
    });
    expect(await ok.json()).toEqual({ name: "zoë €" });
  });

  test.each([
    "application/json ; charset=utf-8",
    "application/json;  charset=utf-8 ",
    "application/json;",
    "Application/JSON ;charset=UTF-8",
    'application/json; charset="utf-8"',
    "application/json; charset=utf8",
    "application/vnd.api+json",
  ])(
    "Content-Type %p (whitespace and empty parameters, RFC 9110) is read as JSON",
    async (type) => {
      const res = await post('{"name":"ok"}', type);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ name: "ok" });
    },
  );

  test("Content-Encoding identity is no encoding; any other is refused, not read as plain", async () => {
    const send = (encoding: string) =>
      build().request("/v1/echo", {
        method: "POST",
        body: '{"name":"ok"}',
        headers: { "content-type": "application/json", "content-encoding": encoding },
      });
    expect((await send(" Identity ")).status).toBe(200);
    for (const encoding of ["gzip", "br", "deflate", "identity, gzip"]) {
      expect((await send(encoding)).status).toBe(400);
    }
  });

  test("details name the field but never echo the value", async () => {
    const res = await post('{"name":"secretvalue-too-long"}');
    const body = (await res.json()) as { error: { details: Array<{ path: string }> } };
    expect(body.error.details[0]?.path).toBe("json.name");
    expect(JSON.stringify(body)).not.toContain("secretvalue");
  });

  test.each(["text/plain", "application/x_1+json", "application/jsonx"])(
    "a content type the validators do not read as JSON (%p) is a 400, not guessed",
    async (type) => {
      const res = await post('{"name":"ok"}', type);
      expect(res.status).toBe(400);
      expect((await errorOf(res)).code).toBe("invalid_request");
    },
  );
});

describe("body limit", () => {
  test("a declared oversize body is refused with 413 before it is read", async () => {
    const res = await build().request("/v1/echo", {
      method: "POST",
      body: JSON.stringify({ name: "x".repeat(5000) }),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("payload_too_large");
  });

  test("a streamed body without Content-Length is counted too", async () => {
    const chunk = new TextEncoder().encode("x".repeat(600));
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await build().request("/v1/echo", {
      method: "POST",
      body: stream,
      headers: { "content-type": "application/json" },
      duplex: "half",
    });
    expect(res.status).toBe(413);
  });
});

describe("headers", () => {
  test("security headers on success and error responses", async () => {
    const app = build();
    for (const path of ["/healthz", "/nowhere"]) {
      const res = await app.request(path);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("strict-transport-security")).toContain("max-age=");
    }
  });

  test("every response echoes the request id in X-Request-Id, errors included", async () => {
    const app = build();
    const cases: Array<[string, RequestInit]> = [
      ["/healthz", {}],
      ["/nowhere", {}],
      ["/healthz", { method: "POST" }],
      ["/v1/boom", {}],
      ["/v1/echo", { method: "POST", headers: { "content-type": "text/plain" }, body: "x" }],
      [
        "/v1/echo",
        { method: "POST", headers: { "content-length": "4096" }, body: "x".repeat(4096) },
      ],
    ];
    for (const [path, init] of cases) {
      const res = await app.request(path, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), "x-request-id": "trace-7" },
      });
      expect({ path, status: res.status, id: res.headers.get("x-request-id") }).toEqual({
        path,
        status: res.status,
        id: "trace-7",
      });
      if (res.status >= 400) {
        const body = (await res.json()) as { error: { request_id: string } };
        expect(body.error.request_id).toBe("trace-7");
      }
    }
  });

  test("no HSTS in development", async () => {
    const res = await build({ environment: "development" }).request("/healthz");
    expect(res.headers.get("strict-transport-security")).toBeNull();
  });

  test("a hostile request id is replaced, a plain one is kept", async () => {
    const app = build();
    const hostile = await app.request("/healthz", { headers: { "x-request-id": 'a b<script>"' } });
    expect(hostile.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const long = await app.request("/healthz", { headers: { "x-request-id": "x".repeat(65) } });
    expect(long.headers.get("x-request-id")).not.toBe("x".repeat(65));
    const plain = await app.request("/healthz", { headers: { "x-request-id": "proxy-42" } });
    expect(plain.headers.get("x-request-id")).toBe("proxy-42");
    // A proxy's traceparent-style id is kept; a refresh token sent as the id is not logged.
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const traced = await app.request("/healthz", { headers: { "x-request-id": traceparent } });
    expect(traced.headers.get("x-request-id")).toBe(traceparent);
    const refresh = newRefreshToken();
    const token = await app.request("/healthz", { headers: { "x-request-id": refresh } });
    expect(token.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("health and OpenAPI", () => {
  test("/readyz is 503 naming the failed component", async () => {
    const app = createApp({
      config: { environment: "production", BODY_LIMIT: 1024 },
      logger: createLogger("error", () => {}),
      version: "test",
      readiness: async () => ({
        database: { ok: true, state: "ready" },
        ratelimit: { ok: false, state: "unavailable" },
      }),
      clientIp: setIp,
      v1Middleware: [],
      routes: [],
    });
    const res = await app.request("/readyz");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: "unavailable",
      components: {
        database: { ok: true, state: "ready" },
        ratelimit: { ok: false, state: "unavailable" },
      },
    });
  });

  test("/openapi.json documents registered routes", async () => {
    const res = await build().request("/openapi.json");
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/healthz", "/readyz", "/v1/echo"]),
    );
  });

  test("the server builds /openapi.json after start, not in a client's request", async () => {
    const app = build({ prebuildOpenApiAfterMs: 0 });
    await Bun.sleep(20);
    // Built already: a request no longer generates it.
    app.getOpenAPI31Document = () => {
      throw new Error("built in the request");
    };
    const res = await app.request("/openapi.json");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { openapi: string }).openapi).toBe("3.1.0");
  });
});
