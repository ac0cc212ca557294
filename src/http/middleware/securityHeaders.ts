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

/** The security headers for `environment`, HSTS included outside development. */
export function securityHeaderList(environment: Environment): ReadonlyArray<[string, string]> {
  return environment === "development"
    ? BASE
    : [...BASE, ["Strict-Transport-Security", "max-age=63072000; includeSubDomains"]];
}

/** Sets the security headers (and `Cache-Control: no-store` unless set) on `headers`. */
export function applySecurityHeaders(
  headers: Headers,
  list: ReadonlyArray<[string, string]>,
): void {
  for (const [name, value] of list) headers.set(name, value);
  if (!headers.has("Cache-Control")) headers.set("Cache-Control", "no-store");
}

/** Adds the security headers to every response, including errors. */
export const securityHeaders = (environment: Environment): MiddlewareHandler<AppEnv> => {
  const list = securityHeaderList(environment);
  return async (c, next) => {
    await next();
    applySecurityHeaders(c.res.headers, list);
  };
};
