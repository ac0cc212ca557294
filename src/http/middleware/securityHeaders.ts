/**
 * Response headers for a JSON API that no browser should frame, sniff or
 * cache. HSTS is sent outside development (where plain HTTP on loopback is
 * normal); TLS itself is terminated by Fly's proxy or the operator's.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { Environment } from "../../config/index.ts";
import type { AppEnv } from "../context.ts";

const BASE: ReadonlyArray<[string, string]> = [
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "DENY"],
  ["Referrer-Policy", "no-referrer"],
  ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
];

/** Adds the security headers to every response, including errors. */
export const securityHeaders = (environment: Environment): MiddlewareHandler<AppEnv> => {
  const headers: Array<[string, string]> = [...BASE];
  if (environment !== "development") {
    headers.push(["Strict-Transport-Security", "max-age=63072000; includeSubDomains"]);
  }
  return async (c, next) => {
    await next();
    for (const [name, value] of headers) c.res.headers.set(name, value);
    if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
  };
};
