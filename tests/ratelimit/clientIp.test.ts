import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import type { AppEnv } from "../../src/http/context.ts";
import {
  clientIpMiddleware,
  normalizeIp,
  rateLimitKeyForIp,
  resolveClientIp,
} from "../../src/ratelimit/index.ts";

const h = (headers: Record<string, string>) => new Headers(headers);

describe("client IP", () => {
  test("unset TRUST_PROXY uses the socket address and ignores spoofable headers", () => {
    const headers = h({ "x-forwarded-for": "9.9.9.9", "fly-client-ip": "8.8.8.8" });
    expect(resolveClientIp(undefined, headers, "10.0.0.1")).toBe("10.0.0.1");
    expect(resolveClientIp(undefined, headers, undefined)).toBe("unknown");
    expect(resolveClientIp(undefined, headers, "::ffff:10.0.0.1")).toBe("10.0.0.1");
  });

  test("fly uses Fly-Client-IP, falling back to the socket when malformed or missing", () => {
    expect(resolveClientIp("fly", h({ "fly-client-ip": "203.0.113.7" }), "172.16.0.1")).toBe(
      "203.0.113.7",
    );
    expect(resolveClientIp("fly", h({ "fly-client-ip": "not-an-ip" }), "172.16.0.1")).toBe(
      "172.16.0.1",
    );
    expect(resolveClientIp("fly", h({}), "172.16.0.1")).toBe("172.16.0.1");
  });

  test("xff:N takes the N-th address from the right; too short or malformed falls back", () => {
    const xff = h({ "x-forwarded-for": "1.1.1.1, 2.2.2.2, 3.3.3.3" });
    expect(resolveClientIp("xff:1", xff, "10.0.0.1")).toBe("3.3.3.3");
    expect(resolveClientIp("xff:2", xff, "10.0.0.1")).toBe("2.2.2.2");
    expect(resolveClientIp("xff:3", xff, "10.0.0.1")).toBe("1.1.1.1");
    expect(resolveClientIp("xff:4", xff, "10.0.0.1")).toBe("10.0.0.1");
    expect(resolveClientIp("xff:1", h({ "x-forwarded-for": "1.1.1.1, garbage" }), "10.0.0.1")).toBe(
      "10.0.0.1",
    );
    expect(
      resolveClientIp("xff:1", h({ "x-forwarded-for": "[2001:db8::1]:443" }), "10.0.0.1"),
    ).toBe("2001:db8::1");
  });

  test("a spoofed X-Forwarded-For does not buy a fresh identity without TRUST_PROXY", async () => {
    const app = new Hono<AppEnv>();
    app.use("*", clientIpMiddleware({ trustProxy: undefined, socketAddress: () => "192.0.2.1" }));
    app.get("/", (c) => c.text(c.get("clientIp")));
    const res = await app.request("/", { headers: { "x-forwarded-for": "198.51.100.9" } });
    expect(await res.text()).toBe("192.0.2.1");
    expect(() =>
      clientIpMiddleware({ trustProxy: "xff:0", socketAddress: () => undefined }),
    ).toThrow(TypeError);
  });

  test("normalization and /56 keys", () => {
    expect(normalizeIp("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(normalizeIp("1.2.3.4:8080")).toBe("1.2.3.4");
    expect(normalizeIp("999.1.1.1")).toBeUndefined();
    expect(normalizeIp("fe80::1%eth0")).toBe("fe80::1");
    expect(rateLimitKeyForIp("2001:db8:0:ab12::1")).toBe(
      rateLimitKeyForIp("2001:db8:0:abff:ffff::9"),
    );
    expect(rateLimitKeyForIp("2001:db8:0:ab12::1")).not.toBe(
      rateLimitKeyForIp("2001:db8:0:ac12::1"),
    );
    expect(rateLimitKeyForIp("2001:db8:0:ab12::1")).toBe("2001:db8:0:ab00::/56");
    expect(rateLimitKeyForIp("203.0.113.5")).toBe("203.0.113.5");
    expect(rateLimitKeyForIp("junk")).toBe("unknown");
  });
});
