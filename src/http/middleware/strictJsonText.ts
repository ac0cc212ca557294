/**
 * JSON bodies are decoded as strict UTF-8 before any validator parses them.
 * `Request.json()` replaces invalid bytes with U+FFFD, so `"pw\xff"` and
 * `"pw\xfe"` both arrived as `"pw\uFFFD"`: two different passwords that
 * matched each other. RFC 8259 requires UTF-8; anything else is a 400.
 *
 * The bytes stay in Hono's body cache, so the validator's `c.req.json()`
 * parses them without reading the stream again; once they are known to be
 * valid UTF-8, its lenient decoding gives the same text.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";

/**
 * Hono's json validator's test (`application/json`, `application/<name>+json`). The route
 * validators are narrower (only letters, `.` and `-` in the name); what they refuse is a 400 anyway.
 */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;
const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The Content-Type without optional whitespace around its `;` separators and
 * without empty parameters (RFC 9110 §5.6.6 allows both). The route
 * validators match `application/json;charset=utf-8` but not
 * `application/json ; charset=utf-8`, and would treat that body as missing.
 */
export function tightContentType(header: string): string {
  return header
    .split(";")
    .map((part) => part.trim())
    .filter((part, i) => i === 0 || part !== "")
    .join(";");
}

/**
 * Refuses JSON bodies that are not valid UTF-8 with 400 `invalid_request`, and
 * gives the validators a JSON Content-Type in the one spelling they match.
 */
export const strictJsonText = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  if (!BODY_METHODS.has(c.req.method)) return next();
  const header = c.req.header("content-type") ?? "";
  const mediaType = header.split(";")[0]?.trim() ?? "";
  if (!JSON_MEDIA_TYPE.test(mediaType)) return next();
  const tight = tightContentType(header);
  if (tight !== header) c.req.raw.headers.set("content-type", tight);
  // Errors from reading (the body limit, a client that left) propagate as they are.
  const bytes = await c.req.arrayBuffer();
  try {
    utf8.decode(bytes);
  } catch {
    throw new ApiError("invalid_request", { message: "The request body is not valid UTF-8." });
  }
  return next();
};
