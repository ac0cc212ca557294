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

test("adds 413 with a body, 429 and 503 where limited, 500 everywhere; a route's own entry keeps its meaning first", () => {
  const out = withMiddlewareResponses(doc());
  expect(Object.keys(out.paths["/healthz"].get.responses)).toEqual(["200", "500"]);
  const login = out.paths["/v1/auth/login"].post.responses as Record<
    string,
    { description: string }
  >;
  expect(Object.keys(login).sort()).toEqual(["200", "413", "429", "500", "503"]);
  expect(login["503"]?.description).toStartWith("too many logins; or Rate limiter unavailable");
  // Idempotent: a second pass does not repeat it.
  withMiddlewareResponses(out);
  expect(login["503"]?.description.match(/Rate limiter/g)).toHaveLength(1);
  const quote = out.paths["/v1/market/quotes/{symbol}"].get.responses as Record<
    string,
    { description: string }
  >;
  expect(Object.keys(quote).sort()).toEqual(["200", "429", "500", "503"]);
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
    "413",
    "429",
    "500",
    "503",
  ]);
  const openapi = out.paths["/openapi.json"].get.responses as Record<
    string,
    { description: string }
  >;
  expect(Object.keys(openapi).sort()).toEqual(["200", "429", "500", "503"]);
  expect(openapi["503"]?.description).not.toContain("maintenance");
});

test("pinned headers: X-Request-Id everywhere, Retry-After on 429/503, WWW-Authenticate on 401, RateLimit where limited", () => {
  const out = withMiddlewareResponses({
    paths: {
      "/healthz": { get: { responses: { 200: { description: "ok" } } } },
      "/v1/auth/me": {
        get: { responses: { 200: { description: "ok" }, 401: { description: "no" } } },
      },
    },
  });
  type Headers = Record<string, { $ref: string }>;
  const headersOf = (path: "/healthz" | "/v1/auth/me", status: string) =>
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
  expect(headersOf("/v1/auth/me", "429")).toContain("Retry-After");
  expect(headersOf("/v1/auth/me", "503")).toEqual([
    "RateLimit-Policy",
    "Retry-After",
    "X-Request-Id",
  ]);
  const components = (out as { components?: { headers?: Record<string, unknown> } }).components;
  for (const name of [
    "RequestId",
    "RetryAfter",
    "WwwAuthenticate",
    "RateLimitPolicy",
    "RateLimit",
  ]) {
    expect(components?.headers?.[name]).toBeDefined();
  }
});
