/**
 * The compiled binary and the Host header, over raw sockets (fetch would
 * normalise it): no usable Host is routed by its path (HTTP/1.0 health
 * checkers), two Host lines are a 400.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { baseEnv, type ServerProcess, startServer } from "./support/process.ts";
import { rawRequest } from "./support/rawRequest.ts";

describe("Host header", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer(baseEnv({ ENVIRONMENT: "development" }));
  });
  afterAll(async () => {
    if (server.proc.exitCode === null) server.proc.kill("SIGKILL");
  });

  test("a request without a usable Host (HTTP/1.0 health checkers) is routed by its path", async () => {
    const raw = (request: string) => rawRequest(server.url, request);
    for (const host of ["", "Host: \r\n", "Host: a b\r\n"]) {
      const answer = await raw(`GET /healthz HTTP/1.0\r\n${host}Connection: close\r\n\r\n`);
      expect(answer.split("\r\n")[0]).toContain(" 200");
      expect(answer).toContain('{"status":"ok"}');
    }
    const missing = await raw("GET /nowhere HTTP/1.0\r\n\r\n");
    expect(missing.split("\r\n")[0]).toContain(" 404");
    expect(missing).toContain('"code":"not_found"');
    // A malformed Host makes an absolute URL no Request accepts; HEAD rebuilds its GET.
    for (const host of ["[", "x:abc", "%", "[::1"]) {
      for (const method of ["GET", "HEAD"]) {
        const answer = await raw(
          `${method} /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
        );
        expect([method, host, answer.split("\r\n")[0]]).toEqual([method, host, "HTTP/1.1 200 OK"]);
        expect(answer.toLowerCase()).toContain("x-request-id:");
      }
      // A chunked body is copied into a new Request by the body limit: it must still parse.
      const posted = await raw(
        `POST /v1/auth/login HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n` +
          "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
      );
      expect([host, posted.split("\r\n")[0]]).toEqual([host, "HTTP/1.1 400 Bad Request"]);
      expect(posted).toContain('"code":"invalid_request"');
    }
    expect(server.logs()).not.toContain('"msg":"server error"');
    expect(server.logs()).not.toContain('"msg":"unhandled error"');
  });

  test("two Host lines are a 400 (RFC 9112 §3.2), whichever the method", async () => {
    for (const method of ["GET", "HEAD", "POST"]) {
      const answer = await rawRequest(
        server.url,
        `${method} /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n` +
          "Content-Length: 0\r\nConnection: close\r\n\r\n",
      );
      expect([method, answer.split("\r\n")[0]]).toEqual([method, "HTTP/1.1 400 Bad Request"]);
      if (method === "GET") expect(answer).toContain("Send exactly one Host header.");
    }
  });
});
