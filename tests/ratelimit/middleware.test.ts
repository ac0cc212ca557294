import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { ManualClock } from "../../src/clock/index.ts";
import type { AppEnv } from "../../src/http/context.ts";
import { ApiError, errorResponse } from "../../src/http/errors.ts";
import { createMemoryStore, rateLimit, routeGroupOf } from "../../src/ratelimit/index.ts";
import { oracleApp } from "./app.ts";

const policies = {
  anonymous: { limit: 3, windowMs: 60_000 },
  user: { limit: 600, windowMs: 60_000 },
  routes: { market: { limit: 2, windowMs: 10_000 } },
};

describe("rateLimit middleware", () => {
  test("anonymous requests are limited per IP with draft headers, then 429 with the pinned body", async () => {
    const oracle = oracleApp(
      createMemoryStore({ clock: new ManualClock() }),
      policies,
      "development",
    );
    const first = await oracle.get("/v1/news", "1.2.3.4");
    expect(first.status).toBe(200);
    expect(first.headers.get("RateLimit-Policy")).toBe('"ip";q=3;w=60');
    expect(first.headers.get("RateLimit")).toBe('"ip";r=2;t=20');
    await oracle.get("/v1/news", "1.2.3.4");
    await oracle.get("/v1/news", "1.2.3.4");
    const limited = await oracle.get("/v1/news", "1.2.3.4");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("20");
    expect(limited.headers.get("RateLimit")).toBe('"ip";r=0;t=60');
    expect(await limited.json()).toEqual({
      error: { code: "rate_limited", message: "Too many requests.", request_id: "req-test" },
    });
    expect(oracle.handlerRuns()).toBe(3);
    // Another address has its own budget; IPv4-mapped IPv6 is the same client.
    expect((await oracle.get("/v1/news", "5.6.7.8")).status).toBe(200);
    expect((await oracle.get("/v1/news", "::ffff:1.2.3.4")).status).toBe(429);
  });

  test("authenticated requests are limited per user, plus the route group override", async () => {
    const oracle = oracleApp(
      createMemoryStore({ clock: new ManualClock() }),
      policies,
      "development",
    );
    const ok = await oracle.get("/v1/market/quotes/AAPL", "1.1.1.1", "user-1");
    expect(ok.headers.get("RateLimit-Policy")).toBe('"user";q=600;w=60, "market";q=2;w=10');
    expect(ok.headers.get("RateLimit")).toBe('"user";r=599;t=1, "market";r=1;t=5');
    expect((await oracle.get("/v1/market/bars/AAPL", "2.2.2.2", "user-1")).status).toBe(200);
    const limited = await oracle.get("/v1/market/quotes/MSFT", "3.3.3.3", "user-1");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("5");
    // Other groups and other users are unaffected; the refused request cost "user" nothing.
    const news = await oracle.get("/v1/news", "3.3.3.3", "user-1");
    expect(news.status).toBe(200);
    expect(news.headers.get("RateLimit")).toBe('"user";r=597;t=1');
    expect((await oracle.get("/v1/market/quotes/AAPL", "1.1.1.1", "user-2")).status).toBe(200);
  });

  test("login and refresh stay on the client's IP budget even with a valid token attached", async () => {
    const oracle = oracleApp(
      createMemoryStore({ clock: new ManualClock() }),
      policies,
      "development",
    );
    for (const path of ["/v1/auth/login", "/v1/auth/refresh"]) {
      const res = await oracle.get(path, "9.9.9.9", "user-1");
      expect([path, res.headers.get("RateLimit-Policy")]).toEqual([path, '"ip";q=3;w=60']);
    }
    await oracle.get("/v1/auth/login", "9.9.9.9", "user-1");
    expect((await oracle.get("/v1/auth/login", "9.9.9.9", "user-2")).status).toBe(429);
    // Routes that authenticate by the bearer keep the user's budget.
    const me = await oracle.get("/v1/auth/me", "9.9.9.9", "user-1");
    expect([me.status, me.headers.get("RateLimit-Policy")]).toEqual([200, '"user";q=600;w=60']);
  });

  test("a failing store answers 503 rate_limiter_unavailable with Retry-After; the handler never runs", async () => {
    const store = createMemoryStore();
    await store.close(); // a closed store rejects every decision with StoreUnavailableError
    const oracle = oracleApp(store, policies, "development");
    const res = await oracle.get("/v1/news", "1.2.3.4");
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("1");
    expect(res.headers.get("RateLimit-Policy")).toBe('"ip";q=3;w=60');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      "rate_limiter_unavailable",
    );
    expect(oracle.handlerRuns()).toBe(0);
  });

  test("error responses rendered by onError still carry the headers", async () => {
    const app = new Hono<AppEnv>();
    app.use("*", async (c, next) => {
      c.set("requestId", "r");
      c.set("clientIp", "1.1.1.1");
      await next();
    });
    app.use("*", rateLimit({ store: createMemoryStore(), environment: "development", policies }));
    app.get("/v1/missing", () => {
      throw new ApiError("not_found");
    });
    app.onError((err, c) => errorResponse(err as ApiError, c.get("requestId")));
    const res = await app.request("/v1/missing");
    expect(res.status).toBe(404);
    expect(res.headers.get("RateLimit")).toBe('"ip";r=2;t=20');
  });

  test("the in-memory store is refused outside development", () => {
    for (const environment of ["staging", "production"] as const) {
      expect(() => rateLimit({ store: createMemoryStore(), environment, policies })).toThrow(
        TypeError,
      );
    }
  });

  test("route groups are the first segment after /v1", () => {
    expect(routeGroupOf("/v1/market/quotes/AAPL")).toBe("market");
    expect(routeGroupOf("/v1/admin/users")).toBe("admin");
    expect(routeGroupOf("/v1/auth/login")).toBe("auth");
    expect(routeGroupOf("/v1/news")).toBe("news");
    expect(routeGroupOf("/healthz")).toBeUndefined();
  });
});
