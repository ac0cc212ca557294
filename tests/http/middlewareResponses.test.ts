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

test("adds 413 with a body, 429 and 503 on /v1; a route's own entry keeps its meaning first", () => {
  const out = withMiddlewareResponses(doc());
  expect(Object.keys(out.paths["/healthz"].get.responses)).toEqual(["200"]);
  const login = out.paths["/v1/auth/login"].post.responses as Record<
    string,
    { description: string }
  >;
  expect(Object.keys(login).sort()).toEqual(["200", "413", "429", "503"]);
  expect(login["503"]?.description).toStartWith("too many logins; or Rate limiter unavailable");
  // Idempotent: a second pass does not repeat it.
  withMiddlewareResponses(out);
  expect(login["503"]?.description.match(/Rate limiter/g)).toHaveLength(1);
  const quote = out.paths["/v1/market/quotes/{symbol}"].get.responses as Record<
    string,
    { description: string }
  >;
  expect(Object.keys(quote).sort()).toEqual(["200", "429", "503"]);
  expect(quote["503"]?.description).toContain("maintenance");
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
