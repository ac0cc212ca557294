/**
 * The assembled app's core behaviour, in-process: error model, request ids,
 * security headers, body limits, 404 vs 405, and that nothing unexpected
 * escapes as a stack trace.
 */
import { describe, expect, test } from "bun:test";
import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { createApp } from "../../src/http/app.ts";
import type { AppEnv } from "../../src/http/context.ts";
import { ApiError } from "../../src/http/errors.ts";
import { StorageError } from "../../src/storage/errors.ts";
import { createLogger } from "../../src/telemetry/logger.ts";

const setIp: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("clientIp", "203.0.113.9");
  await next();
};

/** Abort controllers of in-flight test requests, by request id. */
const hangups = new Map<string, AbortController>();

function build(
  options: {
    environment?: "development" | "production";
    lines?: string[];
    prebuildOpenApiAfterMs?: number;
  } = {},
) {
  const lines = options.lines ?? [];
  return createApp({
    ...(options.prebuildOpenApiAfterMs !== undefined && {
      prebuildOpenApiAfterMs: options.prebuildOpenApiAfterMs,
    }),
    config: { environment: options.environment ?? "production", BODY_LIMIT: 1024 },
    logger: createLogger("info", (line) => lines.push(line)),
    version: "test",
    readiness: async () => ({ database: { ok: true, state: "ready" } }),
    clientIp: setIp,
    v1Middleware: [],
    routes: [
      (app) => {
        app.openapi(
          createRoute({
            method: "post",
            path: "/v1/echo",
            request: {
              body: {
                content: {
                  "application/json": { schema: z.object({ name: z.string().max(10) }) },
                },
              },
            },
            responses: { 200: { description: "echo" } },
          }),
          (c) => c.json({ name: c.req.valid("json").name }, 200),
        );
        app.get("/v1/maintenance", () => {
          throw new ApiError("maintenance", { headers: { "Retry-After": "60" } });
        });
        app.get("/v1/boom", () => {
          throw new Error("database password is hunter2");
        });
        app.get("/v1/hangup", (c) => {
          // The client leaves while the handler runs; the provider call then fails.
          hangups.get(c.req.header("x-request-id") ?? "")?.abort();
          throw new ApiError("provider_unavailable");
        });
        app.get("/v1/hangup-read", (c) => {
          // The client stops sending its body: reading it fails with an AbortError.
          hangups.get(c.req.header("x-request-id") ?? "")?.abort();
          throw new DOMException("The operation was aborted.", "AbortError");
        });
        app.get("/v1/hangup-bug", (c) => {
          // A real fault that happens to come after the client left.
          hangups.get(c.req.header("x-request-id") ?? "")?.abort();
          throw new TypeError("cannot read properties of undefined");
        });
        app.get("/v1/db-down", () => {
          throw new StorageError("timeout", "the database did not answer within 5000 ms");
        });
        app.get("/v1/commit-unknown", () => {
          throw new StorageError("commit_unknown", "the database did not confirm a commit");
        });
        app.get("/v1/teapot", () => {
          throw new ApiError("rate_limited", { headers: { "Retry-After": "3" } });
        });
      },
    ],
  });
}

const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string; request_id: string } }).error;

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

  test("details name the field but never echo the value", async () => {
    const res = await post('{"name":"secretvalue-too-long"}');
    const body = (await res.json()) as { error: { details: Array<{ path: string }> } };
    expect(body.error.details[0]?.path).toBe("json.name");
    expect(JSON.stringify(body)).not.toContain("secretvalue");
  });

  test("a non-JSON content type is refused, not guessed", async () => {
    const res = await post('{"name":"ok"}', "text/plain");
    expect(res.status).toBe(400);
  });
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

describe("access log", () => {
  test("one JSON line per request with the route template", async () => {
    const lines: string[] = [];
    await build({ lines }).request("/v1/echo", {
      method: "POST",
      body: '{"name":"a"}',
      headers: { "content-type": "application/json" },
    });
    const records = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.msg === "request");
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      method: "POST",
      route: "/v1/echo",
      status: 200,
      client_ip: "203.0.113.9",
    });
  });

  /** Requests `path` as a client that hangs up while the handler runs; returns the log records. */
  async function hangUp(path: string, id: string) {
    const lines: string[] = [];
    const controller = new AbortController();
    hangups.set(id, controller);
    await build({ lines }).request(
      new Request(`http://localhost${path}`, {
        headers: { "x-request-id": id },
        signal: controller.signal,
      }),
    );
    return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  test("a client that left is logged as 499 at info, with the status it was not sent", async () => {
    const records = await hangUp("/v1/hangup", "gone-1");
    expect(records.find((r) => r.msg === "request")).toMatchObject({
      level: "info",
      status: 499,
      unsent_status: 503,
    });
  });

  test("a 5xx the client waited for is logged at error, without unsent_status", async () => {
    const lines: string[] = [];
    await build({ lines }).request("/v1/hangup", { headers: { "x-request-id": "stays-1" } });
    const record = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((r) => r.msg === "request");
    expect(record).toMatchObject({ level: "error", status: 503 });
    expect(record).not.toHaveProperty("unsent_status");
  });

  test("a body read that fails because the client left is no unhandled error", async () => {
    const records = await hangUp("/v1/hangup-read", "gone-2");
    expect(records.filter((r) => r.msg === "unhandled error")).toEqual([]);
    expect(records.find((r) => r.msg === "request")).toMatchObject({
      level: "info",
      status: 499,
      unsent_status: 400,
    });
  });

  test("a real fault after the client left is still logged as an unhandled error", async () => {
    const records = await hangUp("/v1/hangup-bug", "gone-3");
    expect(records.filter((r) => r.msg === "unhandled error")).toHaveLength(1);
    expect(records.find((r) => r.msg === "request")).toMatchObject({
      status: 499,
      unsent_status: 500,
    });
  });
});

test("maintenance 503s log at info; other 5xx at error", async () => {
  const lines: string[] = [];
  const app = build({ lines });
  expect((await app.request("/v1/maintenance")).status).toBe(503);
  expect((await app.request("/v1/boom")).status).toBe(500);
  const levels = lines
    .map((l) => JSON.parse(l) as { msg: string; level: string; path: string })
    .filter((r) => r.msg === "request")
    .map((r) => [r.path, r.level]);
  expect(levels).toEqual([
    ["/v1/maintenance", "info"],
    ["/v1/boom", "error"],
  ]);
});

test("a very long path is logged cut at 512 characters", async () => {
  const lines: string[] = [];
  await build({ lines }).request(`/${"a".repeat(5000)}`);
  const record = lines
    .map((l) => JSON.parse(l) as { msg: string; path: string })
    .find((r) => r.msg === "request");
  expect(record?.path).toBe(`/${"a".repeat(511)}…`);
});

test("a token pasted into the path is not logged, even percent-encoded or at the cut", async () => {
  const token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU";
  const lines: string[] = [];
  const app = build({ lines });
  await app.request(`/v1/market/quotes/${token}`);
  await app.request(`/v1/x/${token.replaceAll(".", "%2E")}/y`);
  await app.request(`/${"a".repeat(490)}${token}`); // the token straddles the 512-char cut
  const paths = lines
    .map((l) => JSON.parse(l) as { msg: string; path: string })
    .filter((r) => r.msg === "request")
    .map((r) => r.path);
  expect(paths).toEqual([
    "/v1/market/quotes/[redacted-token]",
    "/v1/x/[redacted-token]/y",
    `/${"a".repeat(490)}[redacted-token]`,
  ]);
  expect(lines.join("\n")).not.toContain("eyJzdWIi");
});

describe("rate limit outside /v1", () => {
  test("the OpenAPI document and unknown paths are limited; health checks and /v1 are not (here)", async () => {
    const limited: string[] = [];
    const app = createApp({
      config: { environment: "production", BODY_LIMIT: 1024 },
      logger: createLogger("error", () => {}),
      version: "test",
      readiness: async () => ({}),
      clientIp: setIp,
      v1Middleware: [],
      outsideV1Limit: async (c, next) => {
        limited.push(c.req.path);
        if (c.req.path === "/nowhere-else") {
          throw new ApiError("rate_limited", { headers: { "Retry-After": "1" } });
        }
        await next();
      },
      routes: [],
    });
    for (const path of [
      "/healthz",
      "/readyz",
      "/openapi.json",
      "/nowhere",
      "/v1/anything",
      "/v1",
    ]) {
      await app.request(path);
    }
    expect(limited).toEqual(["/openapi.json", "/nowhere"]);
    expect((await app.request("/nowhere-else")).status).toBe(429);
  });
});

test("a database that does not answer is a 503 to retry, logged as an outage, not an unhandled error", async () => {
  const lines: string[] = [];
  const res = await build({ lines }).request("/v1/db-down");
  expect(res.status).toBe(503);
  expect(res.headers.get("retry-after")).toBe("1");
  expect((await errorOf(res)).code).toBe("service_unavailable");
  const records = lines.map((l) => JSON.parse(l) as { msg: string; level: string });
  expect(records.filter((r) => r.msg === "unhandled error")).toEqual([]);
  expect(records.find((r) => r.msg === "database unavailable")?.level).toBe("warn");
});

test("an unconfirmed commit is a 503 without Retry-After: the change may stand", async () => {
  const res = await build().request("/v1/commit-unknown");
  expect(res.status).toBe(503);
  expect(res.headers.get("retry-after")).toBeNull();
  expect(await errorOf(res)).toMatchObject({
    code: "service_unavailable",
    message: "The database did not confirm the change; check before trying again.",
  });
});
