/**
 * The compiled binary as an operator runs it: the start-up gate, health,
 * OpenAPI, the error model on unknown routes, and graceful shutdown.
 */

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROUTE_GROUPS } from "../../src/config/schema.ts";
import {
  baseEnv,
  freePort,
  runBinary,
  type ServerProcess,
  startServer,
} from "./support/process.ts";

describe("serve gate", () => {
  test("an empty environment (production) exits 1 before binding the port", async () => {
    const port = freePort();
    const result = await runBinary(["serve"], baseEnv({ PORT: String(port), HOST: "127.0.0.1" }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("SECURITY_SECRET_KEY");
    expect(result.stderr).not.toContain("listening");
    // The port was never bound: we can bind it ourselves.
    const probe = Bun.serve({ hostname: "127.0.0.1", port, fetch: () => new Response() });
    probe.stop(true);
  });

  test("a known secret is refused and its value is printed nowhere", async () => {
    const result = await runBinary(
      ["serve"],
      baseEnv({ ENVIRONMENT: "production", SECURITY_SECRET_KEY: "TradingSystem2024!" }),
    );
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toContain("TradingSystem2024!");
  });

  test("a port already in use is one JSON error line and exit 1, not a stack trace", async () => {
    const taken = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    try {
      const cwd = mkdtempSync(join(tmpdir(), "ts-port-"));
      const result = await runBinary(
        ["serve"],
        baseEnv({ ENVIRONMENT: "development", HOST: "127.0.0.1", PORT: String(taken.port) }),
        { cwd },
      );
      expect(result.code).toBe(1);
      const failure = result.stderr
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { msg: string; level: string })
        .find((record) => record.msg === "start-up failed");
      expect(failure?.level).toBe("error");
      expect(result.stderr).not.toMatch(/^\s+at /m);
    } finally {
      taken.stop(true);
    }
  });

  test("a HOST that does not resolve is named as such, not as a missing file", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "ts-host-"));
    const result = await runBinary(
      ["serve"],
      baseEnv({ ENVIRONMENT: "development", HOST: "nonexistent.invalid", PORT: "0" }),
      { cwd },
    );
    expect(result.code).toBe(1);
    const failure = result.stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg: string; error?: { message: string } })
      .find((record) => record.msg === "start-up failed");
    expect(failure?.error?.message).toBe(
      'HOST "nonexistent.invalid" does not resolve to an address to listen on',
    );
  });

  test("a database that refuses the start-up audit event fails the start before any request is served", async () => {
    // A trigger refuses the event, standing in for a held lock or a full disk at that moment.
    const cwd = mkdtempSync(join(tmpdir(), "ts-startup-event-"));
    const env = baseEnv({
      ENVIRONMENT: "development",
      HOST: "127.0.0.1",
      PORT: String(freePort()),
    });
    expect((await runBinary(["migrate"], env, { cwd })).code).toBe(0);
    const db = new Database(join(cwd, "data/trading.db"));
    db.run(`CREATE TRIGGER refuse_startup BEFORE INSERT ON audit_events
            WHEN NEW.type = 'sys_startup' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    db.close();
    const result = await runBinary(["serve"], env, { cwd });
    expect(result.code).toBe(1);
    const records = result.stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg: string; level: string });
    expect(records.find((r) => r.msg === "start-up failed")?.level).toBe("error");
    expect(records.map((r) => r.msg)).not.toContain("listening");
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  test("an unknown environment is a usage error", async () => {
    const result = await runBinary(["serve"], baseEnv({ ENVIRONMENT: "prod" }));
    expect(result.code).toBe(2);
    const flag = await runBinary(["serve", "--environment", "prod"], baseEnv());
    expect(flag.code).toBe(2);
    // Not cut at a second `=` into "development".
    const cut = await runBinary(["serve", "--environment=development=x"], baseEnv());
    expect(cut.code).toBe(2);
  });
});

describe("development server", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer(baseEnv({ ENVIRONMENT: "development" }));
  });
  afterAll(async () => {
    if (server.proc.exitCode === null) server.proc.kill("SIGKILL");
  });

  test("/healthz answers ok with security headers and a request id", async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("HEAD answers the GET's status and headers, Content-Length included, with no body", async () => {
    for (const path of ["/healthz", "/openapi.json", "/nowhere"]) {
      const got = await fetch(`${server.url}${path}`);
      const length = (await got.arrayBuffer()).byteLength;
      const head = await fetch(`${server.url}${path}`, { method: "HEAD" });
      expect([path, head.status, head.headers.get("content-length")]).toEqual([
        path,
        got.status,
        String(length),
      ]);
      expect(head.headers.get("content-type")).toBe(got.headers.get("content-type"));
      expect(head.headers.get("x-content-type-options")).toBe("nosniff");
      expect((await head.arrayBuffer()).byteLength).toBe(0);
    }
  });

  test("/readyz reports its components", async () => {
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string };
    expect(body.status).toBe("ready");
  });

  test("/openapi.json is OpenAPI 3.1 and lists the health routes", async () => {
    const res = await fetch(`${server.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toStartWith("3.1");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/healthz", "/readyz"]));
  });

  test("/openapi.json lists what middleware answers: 429 and 503 on /v1, 413 with a body", async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: unknown; responses: object }>>;
    };
    const missing: string[] = [];
    let operations = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const statuses = Object.keys(op.responses);
        const expected = [
          ...(path.startsWith("/v1/") ? ["429", "503"] : []),
          ...(op.requestBody ? ["413"] : []),
        ];
        for (const status of expected) {
          if (!statuses.includes(status)) missing.push(`${method} ${path} ${status}`);
        }
        if (path.startsWith("/v1/")) operations++;
      }
    }
    expect(operations).toBeGreaterThan(10);
    expect(missing).toEqual([]);
    // RATE_LIMIT_ROUTES accepts exactly the groups the routes have.
    const groups = new Set(
      Object.keys(doc.paths)
        .filter((p) => p.startsWith("/v1/"))
        .map((p) => p.split("/")[2]),
    );
    expect([...groups].sort()).toEqual([...ROUTE_GROUPS]);
  });

  test("unknown routes and methods get the pinned JSON error body", async () => {
    const missing = await fetch(`${server.url}/nope`, { headers: { "x-request-id": "req-e2e-1" } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: "not_found", message: "Not found.", request_id: "req-e2e-1" },
    });
    const wrongMethod = await fetch(`${server.url}/healthz`, { method: "DELETE" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toContain("GET");
    const body = (await wrongMethod.json()) as { error: { code: string } };
    expect(body.error.code).toBe("method_not_allowed");
  });

  test("an oversize body gets the pinned JSON 413, even at several megabytes", async () => {
    const res = await fetch(`${server.url}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(3 * 1024 * 1024),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe("payload_too_large");
  });

  test("/openapi.json is served from one cached document", async () => {
    const [a, b] = await Promise.all([
      fetch(`${server.url}/openapi.json`).then((r) => r.text()),
      fetch(`${server.url}/openapi.json`).then((r) => r.text()),
    ]);
    expect(a).toBe(b);
    expect(Object.keys(JSON.parse(a).paths)).toContain("/v1/auth/login");
  });

  test("each request is logged as one JSON line without the query string", async () => {
    const res = await fetch(`${server.url}/openapi.json?token=super-secret-value`, {
      headers: { "x-request-id": "log-line-probe" },
    });
    expect(res.status).toBe(200);
    // This request's own line, by its id: the line is written after the answer is sent.
    const deadline = Date.now() + 5_000;
    let line: string | undefined;
    while (!line && Date.now() < deadline) {
      line = server
        .logs()
        .split("\n")
        .find((l) => l.includes('"msg":"request"') && l.includes('"request_id":"log-line-probe"'));
      if (!line) await Bun.sleep(25);
    }
    const last = JSON.parse(line ?? "{}") as Record<string, unknown>;
    expect(last).toMatchObject({
      method: "GET",
      route: "/openapi.json",
      status: 200,
      path: "/openapi.json",
    });
    expect(typeof last.duration_ms).toBe("number");
    expect(server.logs()).not.toContain("super-secret-value");
  });

  test("SIGTERM drains an in-flight request and exits 0", async () => {
    // The handler is attached now: a request that loses the race with the
    // listener closing is refused, which must not surface as an unhandled rejection.
    const inflight = fetch(`${server.url}/readyz`).catch(() => undefined);
    const code = await server.stop();
    expect(code).toBe(0);
    // The request that was already accepted still got its answer (or had not
    // reached the server at all); it never saw a reset mid-response.
    const res = await inflight;
    if (res) expect([200, 503]).toContain(res.status);
    expect(server.logs()).toContain('"msg":"stopped"');
    // The last head logged is the database's final head, shutdown event included: an
    // anchor outside the database for every row of the run.
    const logged = server
      .logs()
      .split("\n")
      .filter((line) => line.includes('"msg":"audit chain head"'))
      .map((line) => JSON.parse(line) as { seq: number; chain_head: string })
      .at(-1);
    const db = new Database(join(server.cwd, "data", "trading.db"), { readonly: true });
    try {
      const head = db
        .query<{ seq: number; hash: string; type: string }, []>(
          "SELECT seq, hash, type FROM audit_events ORDER BY seq DESC LIMIT 1",
        )
        .get();
      expect(head?.type).toBe("sys_shutdown");
      expect(logged).toMatchObject({ seq: head?.seq, chain_head: head?.hash });
    } finally {
      db.close();
    }
  });
});
