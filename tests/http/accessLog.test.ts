/**
 * The assembled app's access log (one line per request, client hang-ups as
 * 499, paths cut and redacted) and the rate limit outside /v1.
 */
import { describe, expect, test } from "bun:test";
import { createApp } from "../../src/http/app.ts";
import { ApiError } from "../../src/http/errors.ts";
import { createLogger } from "../../src/telemetry/logger.ts";
import { build, errorOf, hangups, setIp } from "./support/testApp.ts";

describe("access log", () => {
  test("one JSON line per request with the route template", async () => {
    const lines: string[] = [];
    await build({ lines }).request("/v1/echo", {
      method: "POST",
      body: '{"name":"a"}',
      headers: { "content-type": "application/json" },
    });
    const records = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.msg === "request");
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      method: "POST",
      route: "/v1/echo",
      status: 200,
      client_ip: "203.0.113.9",
    });
  });

  /** Requests `path` as a client that hangs up while the handler runs; returns the log records. */
  async function hangUp(path: string, id: string) {
    const lines: string[] = [];
    const controller = new AbortController();
    hangups.set(id, controller);
    await build({ lines }).request(
      new Request(`http://localhost${path}`, {
        headers: { "x-request-id": id },
        signal: controller.signal,
      }),
    );
    return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  test("a client that left is logged as 499 at info, with the status it was not sent", async () => {
    const records = await hangUp("/v1/hangup", "gone-1");
    expect(records.find((r) => r.msg === "request")).toMatchObject({
      level: "info",
      status: 499,
      unsent_status: 503,
    });
  });

  test("shed load the client did not wait for is a 499 at info too, not a warning", async () => {
    const records = await hangUp("/v1/shed", "gone-shed");
    expect(records.find((r) => r.msg === "request")).toMatchObject({
      level: "info",
      status: 499,
      unsent_status: 503,
    });
  });

  test("a 5xx the client waited for is logged at error, without unsent_status", async () => {
    const lines: string[] = [];
    await build({ lines }).request("/v1/hangup", { headers: { "x-request-id": "stays-1" } });
    const record = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((r) => r.msg === "request");
    expect(record).toMatchObject({ level: "error", status: 503 });
    expect(record).not.toHaveProperty("unsent_status");
  });

  test("a body read that fails because the client left is no unhandled error", async () => {
    const records = await hangUp("/v1/hangup-read", "gone-2");
    expect(records.filter((r) => r.msg === "unhandled error")).toEqual([]);
    expect(records.find((r) => r.msg === "request")).toMatchObject({
      level: "info",
      status: 499,
      unsent_status: 400,
    });
  });

  test("a real fault after the client left is still logged as an unhandled error", async () => {
    const records = await hangUp("/v1/hangup-bug", "gone-3");
    expect(records.filter((r) => r.msg === "unhandled error")).toHaveLength(1);
    expect(records.find((r) => r.msg === "request")).toMatchObject({
      status: 499,
      unsent_status: 500,
    });
  });
});

test("maintenance 503s log at info, shed load at warn; other 5xx at error", async () => {
  const lines: string[] = [];
  const app = build({ lines });
  expect((await app.request("/v1/maintenance")).status).toBe(503);
  expect((await app.request("/v1/shed")).status).toBe(503);
  expect((await app.request("/v1/boom")).status).toBe(500);
  const levels = lines
    .map((l) => JSON.parse(l) as { msg: string; level: string; path: string })
    .filter((r) => r.msg === "request")
    .map((r) => [r.path, r.level]);
  expect(levels).toEqual([
    ["/v1/maintenance", "info"],
    ["/v1/shed", "warn"],
    ["/v1/boom", "error"],
  ]);
});

test("passing health checks log at debug (not at info); a failing one as any request", async () => {
  const lines: string[] = [];
  const app = build({ lines, level: "debug" });
  for (const path of ["/healthz", "/readyz"]) expect((await app.request(path)).status).toBe(200);
  expect((await app.request("/healthz", { method: "POST" })).status).toBe(405);
  const logged = lines
    .map((l) => JSON.parse(l) as { msg: string; level: string; path: string; status: number })
    .filter((r) => r.msg === "request")
    .map((r) => [r.path, r.status, r.level]);
  expect(logged).toEqual([
    ["/healthz", 200, "debug"],
    ["/readyz", 200, "debug"],
    ["/healthz", 405, "info"],
  ]);
});

test("a very long path is logged cut at 512 characters", async () => {
  const lines: string[] = [];
  await build({ lines }).request(`/${"a".repeat(5000)}`);
  const record = lines
    .map((l) => JSON.parse(l) as { msg: string; path: string })
    .find((r) => r.msg === "request");
  expect(record?.path).toBe(`/${"a".repeat(511)}…`);
});

test("a token pasted into the path is not logged, even percent-encoded or at the cut", async () => {
  const token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU";
  const lines: string[] = [];
  const app = build({ lines });
  await app.request(`/v1/market/quotes/${token}`);
  await app.request(`/v1/x/${token.replaceAll(".", "%2E")}/y`);
  await app.request(`/${"a".repeat(490)}${token}`); // the token straddles the 512-char cut
  const paths = lines
    .map((l) => JSON.parse(l) as { msg: string; path: string })
    .filter((r) => r.msg === "request")
    .map((r) => r.path);
  expect(paths).toEqual([
    "/v1/market/quotes/[redacted-token]",
    "/v1/x/[redacted-token]/y",
    `/${"a".repeat(490)}[redacted-token]`,
  ]);
  expect(lines.join("\n")).not.toContain("eyJzdWIi");
});

describe("rate limit outside /v1", () => {
  test("the OpenAPI document and unknown paths are limited; health checks and /v1 are not (here)", async () => {
    const limited: string[] = [];
    const app = createApp({
      config: { environment: "production", BODY_LIMIT: 1024 },
      logger: createLogger("error", () => {}),
      version: "test",
      readiness: async () => ({}),
      clientIp: setIp,
      v1Middleware: [],
      outsideV1Limit: async (c, next) => {
        limited.push(c.req.path);
        if (c.req.path === "/nowhere-else") {
          throw new ApiError("rate_limited", { headers: { "Retry-After": "1" } });
        }
        await next();
      },
      routes: [],
    });
    for (const path of [
      "/healthz",
      "/readyz",
      "/openapi.json",
      "/nowhere",
      "/v1/anything",
      "/v1",
    ]) {
      await app.request(path);
    }
    expect(limited).toEqual(["/openapi.json", "/nowhere"]);
    expect((await app.request("/nowhere-else")).status).toBe(429);
    // Only a probe's GET is exempt: another method on a probe path is limited like any path.
    for (const method of ["POST", "DELETE", "OPTIONS"]) {
      await app.request("/healthz", { method });
    }
    expect(limited.slice(2)).toEqual(["/nowhere-else", "/healthz", "/healthz", "/healthz"]);
    // Nor is a probe with two Host lines (or a comma in one): its 400 is limited like any path's.
    const twoHosts = await app.request("/healthz", { headers: { host: "a,b" } });
    expect(twoHosts.status).toBe(400);
    expect(limited.at(-1)).toBe("/healthz");
    expect(limited).toHaveLength(7);
  });
});

test("a database that does not answer is a 503 to retry, logged as an outage, not an unhandled error", async () => {
  const lines: string[] = [];
  const res = await build({ lines }).request("/v1/db-down");
  expect(res.status).toBe(503);
  expect(res.headers.get("retry-after")).toBe("1");
  expect((await errorOf(res)).code).toBe("service_unavailable");
  const records = lines.map((l) => JSON.parse(l) as { msg: string; level: string });
  expect(records.filter((r) => r.msg === "unhandled error")).toEqual([]);
  const outage = records.find((r) => r.msg === "database unavailable") as
    | { level: string; error?: unknown }
    | undefined;
  expect(outage?.level).toBe("warn");
  // A stalled database is told from a full disk or a refused connection by its kind.
  expect(outage?.error).toEqual({ name: "StorageError", kind: "timeout" });
});

test("the outage line names the database's code (a full disk, not a lock) but not its message", async () => {
  const lines: string[] = [];
  const res = await build({ lines }).request("/v1/disk-full");
  expect(res.status).toBe(503);
  const record = lines
    .map((l) => JSON.parse(l) as { msg: string; error?: unknown })
    .find((r) => r.msg === "database unavailable");
  expect(record?.error).toEqual({ name: "SQLiteError", code: "SQLITE_FULL" });
  expect(lines.join("\n")).not.toContain("disk is full");
});

test("an unconfirmed commit is a 503 without Retry-After: the change may stand", async () => {
  const res = await build().request("/v1/commit-unknown");
  expect(res.status).toBe(503);
  expect(res.headers.get("retry-after")).toBeNull();
  expect(await errorOf(res)).toMatchObject({
    code: "service_unavailable",
    message: "The database did not confirm the change; check before trying again.",
  });
});
