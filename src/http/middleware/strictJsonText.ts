/**
 * JSON bodies are checked before the route's validator parses them, on the
 * routes that take one, after authentication (a request that would get 401,
 * 403 or 405, or 404 for an unknown path, gets it whatever its body):
 * - strict UTF-8: `Request.json()` replaces invalid bytes with U+FFFD, so
 *   `"pw\xff"` and `"pw\xfe"` both arrived as `"pw\uFFFD"`, two different
 *   passwords that matched each other. RFC 8259 requires UTF-8.
 * - no `charset` other than UTF-8, and no `Content-Encoding`: the body is
 *   read as uncompressed UTF-8, so a label saying otherwise is refused rather
 *   than ignored.
 * - no key twice in one object, and no nesting deeper than 32 levels
 *   (duplicateKeys.ts).
 * - a JSON Content-Type and a body that parses.
 * Each is a 400 `invalid_request` whose message says which.
 *
 * The bytes stay in Hono's body cache, so the validator's `c.req.json()`
 * parses them without reading the stream again; once they are known to be
 * valid UTF-8, its lenient decoding gives the same text.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.ts";
import { keyProblem, MAX_BODY_DEPTH } from "../duplicateKeys.ts";
import { ApiError } from "../errors.ts";

/**
 * Hono's json validator's test (`application/json`, `application/<name>+json`). The route
 * validators are narrower (only letters, `.` and `-` in the name); what they refuse is a 400 anyway.
 */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;
const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** `charset=utf-8` in any case, quoted or not, and the common `utf8`. */
const UTF8_CHARSET = /^"?utf-?8"?$/i;
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

/** The values of the `charset` parameters of a Content-Type (normally none or one). */
function charsetsOf(header: string): string[] {
  const found: string[] = [];
  for (const part of header.split(";").slice(1)) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim().toLowerCase() === "charset") {
      found.push(part.slice(at + 1).trim());
    }
  }
  return found;
}

/** A 400 with `details`, as DESIGN §6 gives every validation error: clients read the field there. */
const refuse = (message: string, details: { path: string; message: string }[]) =>
  new ApiError("invalid_request", { message, details });
const bodyIs = (message: string) => [{ path: "json", message }];

/**
 * Refuses JSON bodies that are labelled or spelled other than plain UTF-8
 * JSON with unique keys (400 `invalid_request`), and gives the validator a
 * JSON Content-Type in the one spelling it matches. Mount it on each route
 * with a JSON body, after its authentication.
 */
export const strictJsonText = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  if (!BODY_METHODS.has(c.req.method)) return next();
  const header = c.req.header("content-type") ?? "";
  const mediaType = header.split(";")[0]?.trim() ?? "";
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    // Said here, with details, instead of the validator's bare "invalid": `curl -d` sends a
    // form type and `fetch` a text/plain one for a string body, and neither says why it failed.
    throw refuse(
      "The request body must be JSON, sent as Content-Type: application/json.",
      bodyIs("Content-Type is not application/json"),
    );
  }
  // Every one: `charset=utf-8; charset=utf-16` must not pass on its first.
  if (charsetsOf(header).some((charset) => !UTF8_CHARSET.test(charset))) {
    throw refuse(
      "The request body must be UTF-8 JSON; no other charset is read.",
      bodyIs("Content-Type charset is not UTF-8"),
    );
  }
  const encoding = c.req.header("content-encoding")?.trim().toLowerCase();
  if (encoding && encoding !== "identity") {
    throw refuse(
      "Content-Encoding is not supported; send the body uncompressed.",
      bodyIs("Content-Encoding is not identity"),
    );
  }
  const tight = tightContentType(header);
  if (tight !== header) c.req.raw.headers.set("content-type", tight);
  // Errors from reading (the body limit, a client that left) propagate as they are.
  const bytes = await c.req.arrayBuffer();
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw refuse("The request body is not valid UTF-8.", bodyIs("is not valid UTF-8"));
  }
  try {
    JSON.parse(text);
  } catch {
    throw refuse(
      "The request body is not valid JSON.",
      bodyIs(text.trim() === "" ? "is empty" : "is not valid JSON"),
    );
  }
  const problem = keyProblem(text);
  if (problem?.kind === "too_deep") {
    throw refuse(
      `The request body is nested more than ${MAX_BODY_DEPTH} levels deep.`,
      bodyIs(`is nested more than ${MAX_BODY_DEPTH} levels deep`),
    );
  }
  if (problem?.kind === "duplicate") {
    throw refuse("The request body names a key twice in one object.", [
      // Keys are the client's text: each cut short, like any name echoed in details.
      {
        path: ["json", ...problem.path.map((k) => String(k).slice(0, 64))].join("."),
        message: "appears more than once",
      },
    ]);
  }
  return next();
};
