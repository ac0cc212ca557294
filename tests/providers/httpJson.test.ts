/**
 * The shared provider GET against a real server on 127.0.0.1: bodies over
 * the cap are refused whether or not they declare their length, and
 * credentials in the base URL never reach a message.
 */
import { afterAll, expect, test } from "bun:test";
import { isProviderError } from "../../src/providers/errors.ts";
import { getJson } from "../../src/providers/transport/httpJson.ts";

const CAP = 64 * 1024;
let redirects = 0;
let hits = 0;
const big = JSON.stringify({ bars: "x".repeat(CAP * 2) });
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(req) {
    hits++;
    const path = new URL(req.url).pathname;
    if (path === "/declared")
      return new Response(big, { headers: { "content-type": "application/json" } });
    if (path === "/streamed") {
      // No Content-Length: chunks until well past the cap.
      let sent = 0;
      const stream = new ReadableStream({
        pull(controller) {
          if (sent > CAP * 4) return controller.close();
          sent += 8192;
          controller.enqueue(new TextEncoder().encode(" ".repeat(8192)));
        },
      });
      return new Response(stream, { headers: { "content-type": "application/json" } });
    }
    if (path === "/small") return Response.json({ ok: true });
    if (path === "/moved") {
      redirects++;
      return new Response(null, { status: 302, headers: { location: "http://example.com/" } });
    }
    return new Response("{}", { status: 500 });
  },
});
afterAll(() => server.stop(true));

const base = `http://127.0.0.1:${server.port}`;
const get = (path: string, baseUrl = base) =>
  getJson({ provider: "fake", baseUrl, path, maxBytes: CAP }, new AbortController().signal);

test.each(["/declared", "/streamed"])(
  "a body over the cap (%p) is a bad_response",
  async (path) => {
    const err = await get(path).catch((e: unknown) => e);
    expect(isProviderError(err) && err.kind).toBe("bad_response");
    expect(String((err as Error).message)).toContain(`over ${CAP} bytes`);
  },
);

test("a body under the cap is parsed", async () => {
  expect(await get("/small")).toEqual({ ok: true });
});

test("user and password in the base URL are redacted in errors", async () => {
  const withCredentials = `http://alice:s3cr3t-pa55@127.0.0.1:${server.port}`;
  const err = await get("/fails", withCredentials).catch((e: unknown) => e);
  expect(isProviderError(err)).toBe(true);
  expect(String((err as Error).message)).not.toContain("s3cr3t-pa55");
  expect(String((err as Error).message)).not.toContain("alice");
});

test("a redirect is not followed and is a bad_response, not a network failure", async () => {
  const err = await get("/moved").catch((e: unknown) => e);
  expect(isProviderError(err) && err.kind).toBe("bad_response");
  expect(isProviderError(err) && err.retryable).toBe(false);
  expect(redirects).toBe(1);
});

test("a credential that cannot be a header value is an auth failure, not retried, never sent", async () => {
  const before = hits;
  const err = await getJson(
    {
      provider: "fake",
      baseUrl: base,
      path: "/small",
      headers: { "APCA-API-SECRET-KEY": "abc\r\nX-Injected: 1" },
    },
    new AbortController().signal,
  ).catch((e: unknown) => e);
  expect(isProviderError(err) && err.kind).toBe("auth");
  expect(isProviderError(err) && err.retryable).toBe(false);
  expect(String((err as Error).message)).not.toContain("abc");
  expect(hits).toBe(before);
});

test("a status outside 100-599 is a bad_response, not a retried 5xx", async () => {
  // Bun.serve cannot send such a status; a raw socket can, as a broken provider would.
  const raw = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(socket) {
        socket.end(
          "HTTP/1.1 999 Odd\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}",
        );
      },
    },
  });
  try {
    const err = await getJson(
      { provider: "fake", baseUrl: `http://127.0.0.1:${raw.port}`, path: "/x" },
      new AbortController().signal,
    ).catch((e: unknown) => e);
    expect(isProviderError(err) && err.kind).toBe("bad_response");
    expect(isProviderError(err) && err.retryable).toBe(false);
  } finally {
    raw.stop(true);
  }
});
