/** A request target read two ways (two Host headers, a query escape that decodes to nothing) is a 400. */
import { describe, expect, test } from "bun:test";
import { undecodableQueryPart } from "../../src/http/middleware/requestTarget.ts";
import { build, errorOf } from "./support/testApp.ts";

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

describe("the app", () => {
  const app = build();

  test("two Host lines (joined by the server) are refused with the pinned body", async () => {
    const res = await app.request("http://a.example/healthz", {
      headers: { host: "a.example, b.example" },
    });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("invalid_request");
    expect(error.message).toBe("Send exactly one Host header.");
    expect(res.headers.get("x-request-id")).toBe(error.request_id);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  test("one Host, with or without a port, passes", async () => {
    for (const host of ["a.example", "a.example:8080", "[::1]:8080"]) {
      const res = await app.request("http://a.example/healthz", { headers: { host } });
      expect([host, res.status]).toEqual([host, 200]);
    }
  });

  test("an invalid query escape is a 400 naming the part, not a literal match", async () => {
    for (const query of ["?x=%zz", "?a=1&x=%E2%82", "?x=%"]) {
      const res = await app.request(`/healthz${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      const body = (await res.json()) as {
        error: { code: string; details: Array<{ path: string }> };
      };
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.details[0]?.path).toBe(query.startsWith("?a=1") ? "query[2]" : "query[1]");
    }
    expect((await app.request("/healthz?x=%25zz&y=%C3%A9")).status).toBe(200);
  });
});
