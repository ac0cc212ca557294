/** The public OpenAPI document names the API's version, never the build's git revision. */
import { expect, test } from "bun:test";
import type { MiddlewareHandler } from "hono";
import { createApp } from "../../src/http/app.ts";
import type { AppEnv } from "../../src/http/context.ts";
import { silentLogger } from "../../src/telemetry/logger.ts";

const setIp: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("clientIp", "127.0.0.1");
  await next();
};

test("info.version drops the build metadata (+revision)", async () => {
  const app = createApp({
    config: { environment: "production", BODY_LIMIT: 1024 },
    logger: silentLogger,
    version: "0.1.0+3f2a1bc4d5e6-dirty",
    readiness: async () => ({}),
    clientIp: setIp,
    v1Middleware: [],
    routes: [],
  });
  const res = await app.request("/openapi.json");
  const text = await res.text();
  expect((JSON.parse(text) as { info: { version: string } }).info.version).toBe("0.1.0");
  expect(text).not.toContain("3f2a1bc4d5e6");
});
