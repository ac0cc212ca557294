/** The OpenAPI document gains the statuses app-level middleware answers, and keeps the routes' own. */
import { expect, test } from "bun:test";
import { withMiddlewareResponses } from "../../src/http/middlewareResponses.ts";

const doc = () => ({
  openapi: "3.1.0",
  paths: {
    "/healthz": { get: { responses: { 200: { description: "ok" } } } },
    "/v1/auth/login": {
      post: {
        requestBody: { content: {} },
        responses: { 200: { description: "ok" }, 503: { description: "too many logins" } },
      },
    },
    "/v1/market/quotes/{symbol}": {
      parameters: [],
      get: { responses: { 200: { description: "ok" } } },
    },
  },
});

test("adds 400 everywhere, 413 with a body, 429 and 503 where limited, 500 everywhere; a route's own entry keeps its meaning first", () => {
  const out = withMiddlewareResponses(doc());
  expect(Object.keys(out.paths["/healthz"].get.responses).sort()).toEqual(["200", "400", "500"]);
  const login = out.paths["/v1/auth/login"].post.responses as Record<
    string,
    { description: string }
  >;
  expect(Object.keys(login).sort()).toEqual(["200", "400", "413", "429", "500", "503"]);
  expect(login["503"]?.description).toStartWith("too many logins; or Rate limiter unavailable");
  // Idempotent: a second pass does not repeat it.
  withMiddlewareResponses(out);
  expect(login["503"]?.description.match(/Rate limiter/g)).toHaveLength(1);
  const quote = out.paths["/v1/market/quotes/{symbol}"].get.responses as Record<
    string,
    { description: string }
  >;
  expect(Object.keys(quote).sort()).toEqual(["200", "400", "429", "500", "503"]);
  expect(quote["503"]?.description).toContain("maintenance");
  expect(quote["503"]?.description).toContain("`service_unavailable`");
  expect(out.paths["/v1/market/quotes/{symbol}"].parameters).toEqual([]);
});

test("auth and admin routes are not said to answer maintenance", () => {
  const out = withMiddlewareResponses({
    paths: { "/v1/admin/users": { get: { responses: {} } } },
  });
  const responses = out.paths["/v1/admin/users"].get.responses as Record<
    string,
    { description: string }
  >;
  expect(responses["503"]?.description).not.toContain("maintenance");
});

test("a POST without a documented body can still get 413; paths outside /v1 are limited too", () => {
  const out = withMiddlewareResponses({
    paths: {
      "/v1/auth/logout": { post: { responses: { 204: { description: "done" } } } },
      "/openapi.json": { get: { responses: { 200: { description: "doc" } } } },
    },
  });
  expect(Object.keys(out.paths["/v1/auth/logout"].post.responses).sort()).toEqual([
    "204",
    "400",
    "413",
    "429",
    "500",
    "503",
  ]);
  const openapi = out.paths["/openapi.json"].get.responses as Record<
    string,
    { description: string }
  >;
  expect(Object.keys(openapi).sort()).toEqual(["200", "400", "429", "500", "503"]);
  expect(openapi["503"]?.description).not.toContain("maintenance");
});

test("pinned headers: X-Request-Id everywhere, Retry-After on 429/503, WWW-Authenticate on 401, RateLimit where limited", () => {
  const out = withMiddlewareResponses({
    paths: {
      "/healthz": { get: { responses: { 200: { description: "ok" } } } },
      "/readyz": { get: { responses: { 503: { description: "not ready" } } } },
      "/v1/auth/logout": { post: { responses: { 204: { description: "done" } } } },
      "/v1/auth/me": {
        get: { responses: { 200: { description: "ok" }, 401: { description: "no" } } },
      },
    },
  });
  type Headers = Record<string, { $ref: string }>;
  const headersOf = (path: "/healthz" | "/readyz" | "/v1/auth/me", status: string) =>
    Object.keys(
      (out.paths[path].get.responses as unknown as Record<string, { headers: Headers }>)[status]
        ?.headers ?? {},
    ).sort();
  expect(headersOf("/healthz", "200")).toEqual(["X-Request-Id"]);
  expect(headersOf("/v1/auth/me", "200")).toEqual([
    "RateLimit",
    "RateLimit-Policy",
    "X-Request-Id",
  ]);
  expect(headersOf("/v1/auth/me", "401")).toEqual([
    "RateLimit",
    "RateLimit-Policy",
    "WWW-Authenticate",
    "X-Request-Id",
  ]);
  const retryAfter = (path: "/v1/auth/me", status: string) =>
    (out.paths[path].get.responses as unknown as Record<string, { headers: Headers }>)[status]
      ?.headers["Retry-After"]?.$ref;
  expect(retryAfter("/v1/auth/me", "429")).toBe("#/components/headers/RetryAfter");
  // A 503 has it only when a retry is safe (not after an unconfirmed commit).
  expect(retryAfter("/v1/auth/me", "503")).toBe("#/components/headers/RetryAfterWhenSafe");
  expect(headersOf("/v1/auth/me", "503")).toEqual([
    "RateLimit",
    "RateLimit-Policy",
    "Retry-After",
    "X-Request-Id",
  ]);
  // A probe's 503 is a state, not a refusal: no Retry-After, no limiter.
  expect(headersOf("/readyz", "503")).toEqual(["X-Request-Id"]);
  // The body limit answers before the limiter: a 413 has no RateLimit headers.
  const logout = out.paths["/v1/auth/logout"].post.responses as unknown as Record<
    string,
    { headers: Headers }
  >;
  expect(Object.keys(logout["413"]?.headers ?? {})).toEqual(["X-Request-Id"]);
  const components = (out as { components?: { headers?: Record<string, unknown> } }).components;
  for (const name of [
    "RequestId",
    "RetryAfter",
    "RetryAfterWhenSafe",
    "WwwAuthenticate",
    "RateLimitPolicy",
    "RateLimit",
  ]) {
    expect(components?.headers?.[name]).toBeDefined();
  }
  // Every answer carries X-Request-Id and every 429 Retry-After: a generated client may rely on them.
  const required = (name: string) =>
    (components?.headers?.[name] as { required?: boolean } | undefined)?.required;
  expect([required("RequestId"), required("RetryAfter"), required("RetryAfterWhenSafe")]).toEqual([
    true,
    true,
    undefined,
  ]);
  // A success of a limited route was decided by the limiter: its headers are always there (the
  // conformance test holds every driven 2xx to it); an error may come before or without it.
  expect([required("RateLimitPolicyDecided"), required("RateLimitDecided")]).toEqual([true, true]);
  expect([required("RateLimitPolicy"), required("RateLimit")]).toEqual([undefined, undefined]);
  const meHeaders = (
    out.paths["/v1/auth/me"].get.responses as unknown as Record<string, { headers: Headers }>
  )["200"]?.headers;
  expect(meHeaders?.RateLimit?.$ref).toBe("#/components/headers/RateLimitDecided");
});
