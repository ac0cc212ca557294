/**
 * The start-up handler: /healthz answers before the app is built, with the
 * app's request id and security headers; everything else waits for the app,
 * within a bound, or gets the pinned 503.
 */
import { describe, expect, test } from "bun:test";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../src/http/context.ts";
import { deferApp } from "../../src/http/deferredApp.ts";
import type { FetchHandler } from "../../src/http/server.ts";
import { createLogger, silentLogger } from "../../src/telemetry/logger.ts";

const clientIp: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("clientIp", "127.0.0.1");
  await next();
};
const env = {} as Parameters<FetchHandler>[1];
const options = {
  environment: "production" as const,
  logger: silentLogger,
  clientIp,
  tracing: false,
};
const app: FetchHandler = (req) => new Response(`app: ${req.method} ${new URL(req.url).pathname}`);
const get = (path: string, init?: RequestInit) => new Request(`http://127.0.0.1:8080${path}`, init);

describe("deferApp", () => {
  test("/healthz answers at once with the app's headers", async () => {
    const deferred = deferApp({ ...options, maxWaitMs: 10_000 });
    const res = await deferred.fetch(
      get("/healthz", { headers: { "x-request-id": "probe-1" } }),
      env,
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("x-request-id")).toBe("probe-1");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("strict-transport-security")).toContain("max-age=");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const withQuery = await deferred.fetch(get("/healthz?probe=1"), env);
    expect(withQuery.status).toBe(200);
    const head = await deferred.fetch(get("/healthz", { method: "HEAD" }), env);
    expect(head.status).toBe(200);
  });

  test("other requests, /readyz and POST /healthz included, wait for the app", async () => {
    const deferred = deferApp({ ...options, maxWaitMs: 10_000 });
    const waiting = [
      deferred.fetch(get("/readyz"), env),
      deferred.fetch(get("/v1/market/quotes/AAPL"), env),
      deferred.fetch(get("/healthz", { method: "POST" }), env),
      deferred.fetch(get("/healthzz"), env),
    ];
    let settled = false;
    void Promise.all(waiting).then(() => {
      settled = true;
    });
    await Bun.sleep(0);
    expect(settled).toBe(false);
    deferred.ready(app);
    const bodies = await Promise.all(waiting.map(async (r) => (await r).text()));
    expect(bodies).toEqual([
      "app: GET /readyz",
      "app: GET /v1/market/quotes/AAPL",
      "app: POST /healthz",
      "app: GET /healthzz",
    ]);
    // Once ready, the app answers everything, /healthz too.
    expect(await (await deferred.fetch(get("/healthz"), env)).text()).toBe("app: GET /healthz");
  });

  test("a request that outwaits the bound gets the pinned 503", async () => {
    const deferred = deferApp({ ...options, maxWaitMs: 5 });
    const res = await deferred.fetch(get("/readyz", { headers: { "x-request-id": "r-2" } }), env);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.headers.get("x-request-id")).toBe("r-2");
    // The same security headers as every response of the full app.
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.headers.get("strict-transport-security")).toContain("max-age=");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({
      error: {
        code: "service_unavailable",
        message: "The service is unavailable.",
        request_id: "r-2",
      },
    });
  });

  test("after a failed build, waiting and later requests get 503, never a stack", async () => {
    const deferred = deferApp({ ...options, maxWaitMs: 10_000 });
    const waiting = deferred.fetch(
      get("/v1/auth/me", { headers: { "x-request-id": "<bad id>" } }),
      env,
    );
    deferred.failed();
    const res = await waiting;
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { request_id: string } };
    // An unsafe incoming id is replaced, as the app's request-id middleware does.
    expect(body.error.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await deferred.fetch(get("/healthz", { method: "POST" }), env)).status).toBe(503);
  });

  test("a start-up 503 is access-logged like any other answer", async () => {
    const lines: string[] = [];
    const logger = createLogger("info", (line) => lines.push(line));
    const deferred = deferApp({ ...options, logger, maxWaitMs: 5 });
    await deferred.fetch(get("/v1/news", { headers: { "x-request-id": "r-3" } }), env);
    deferred.failed();
    await deferred.fetch(get("/healthz", { headers: { "x-request-id": "r-4" } }), env);
    const records = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.msg === "request");
    expect(records).toMatchObject([
      { level: "error", path: "/v1/news", status: 503, request_id: "r-3", client_ip: "127.0.0.1" },
      { level: "error", path: "/healthz", status: 503, request_id: "r-4" },
    ]);
  });
});
