/**
 * A request target read two ways is a 400: two Host headers (before any route),
 * and a query escape that decodes to nothing (with validation, after the
 * route's authentication, so it never turns a 401 into a 400).
 */
import { describe, expect, test } from "bun:test";
import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../src/http/context.ts";
import { ApiError } from "../../src/http/errors.ts";
import { namelessQueryPart, undecodableQueryPart } from "../../src/http/queryEncoding.ts";
import { appWithRoutes, build, errorOf } from "./support/testApp.ts";

describe("undecodableQueryPart", () => {
  test.each([
    ["http://h/p", 0],
    ["http://h/p?symbols=AAPL,MSFT&limit=5", 0],
    ["http://h/p?actor=%C3%A9l%C3%A8ve&start=2026-01-01T00%3A00%3A00Z", 0],
    ["http://h/p?a=%25zz", 0],
    ["http://h/p?a=1#%zz", 0],
    ["http://h/p%zz?a=1", 0],
    ["http://h/p?a=%zz", 1],
    ["http://h/p?ok=1&actor=%E2%82", 2],
    ["http://h/p?a=%", 1],
    ["http://h/p?a=%4", 1],
    ["http://h/p?%ED%A0%80=1", 1],
    ["http://h/p?a=%C0%AF", 1],
  ])("%p → part %p", (url, part) => {
    expect(undecodableQueryPart(url)).toBe(part);
  });
});

describe("namelessQueryPart", () => {
  test.each([
    ["http://h/p", 0],
    ["http://h/p?symbols=AAPL&limit=5", 0],
    ["http://h/p?&&&", 0],
    ["http://h/p?a=1&&b=2", 0],
    ["http://h/p?a==1", 0],
    ["http://h/p#=x", 0],
    ["http://h/p?=AAPL", 1],
    ["http://h/p?limit=5&=", 2],
    ["http://h/p?a=1#x&=2", 0],
  ])("%p → part %p", (url, part) => {
    expect(namelessQueryPart(url)).toBe(part);
  });
});

describe("two Host lines", () => {
  const app = build();

  test("are refused with the pinned body, whatever the path", async () => {
    for (const path of ["/healthz", "/nowhere"]) {
      const res = await app.request(`http://a.example${path}`, {
        headers: { host: "a.example, b.example" },
      });
      expect([path, res.status]).toEqual([path, 400]);
      const error = await errorOf(res);
      expect(error.code).toBe("invalid_request");
      expect(error.message).toBe("Send exactly one Host header.");
      expect(res.headers.get("x-request-id")).toBe(error.request_id);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });

  test("one Host, with or without a port, passes", async () => {
    for (const host of ["a.example", "a.example:8080", "[::1]:8080"]) {
      const res = await app.request("http://a.example/healthz", { headers: { host } });
      expect([host, res.status]).toEqual([host, 200]);
    }
  });
});

describe("query parts a strict schema cannot see: an escape that decodes to nothing, a nameless value", () => {
  // A route with a query filter behind its own authentication, as the audit list is.
  const signedIn: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (c.req.header("authorization") !== "Bearer ok") throw new ApiError("unauthorized");
    await next();
  };
  const app = appWithRoutes([
    (a) =>
      a.openapi(
        createRoute({
          method: "get",
          path: "/v1/events",
          middleware: [signedIn] as const,
          request: { query: z.strictObject({ actor: z.string().optional(), n: z.string() }) },
          responses: { 200: { description: "events" } },
        }),
        (c) => c.json({ actor: c.req.valid("query").actor ?? null }, 200),
      ),
  ]);
  const get = (query: string, token = "ok") =>
    app.request(`/v1/events${query}`, { headers: { authorization: `Bearer ${token}` } });

  test("is a 400 naming the part, never a literal match", async () => {
    for (const [query, part] of [
      ["?n=1&actor=%zz", "query[2]"],
      ["?actor=%E2%82&n=1", "query[1]"],
      ["?n=%", "query[1]"],
    ] as const) {
      const res = await get(query);
      expect([query, res.status]).toEqual([query, 400]);
      const body = (await res.json()) as {
        error: { code: string; details: Array<{ path: string }> };
      };
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.details[0]?.path).toBe(part);
    }
    const fine = await get("?n=1&actor=%25zz%C3%A9");
    expect(await fine.json()).toEqual({ actor: "%zzé" });
  });

  test("a value without a name is a 400 naming the part, not dropped unseen", async () => {
    for (const [query, part] of [
      ["?n=1&=AAPL", "query[2]"],
      ["?=&n=1", "query[1]"],
    ] as const) {
      const res = await get(query);
      const body = (await res.json()) as { error: { details: Array<{ path: string }> } };
      expect([query, res.status, body.error.details[0]?.path]).toEqual([query, 400, part]);
    }
    expect((await get("?n=1&&&")).status).toBe(200);
  });

  test("comes after the route's authentication: no token is still a 401", async () => {
    expect((await get("?n=1&actor=%zz", "wrong")).status).toBe(401);
  });

  test("a path that reads no query is not refused for it", async () => {
    expect((await app.request("/healthz?x=%zz")).status).toBe(200);
    expect((await app.request("/nowhere?x=%zz")).status).toBe(404);
  });
});
