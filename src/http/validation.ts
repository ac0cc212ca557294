/**
 * Turns a failed zod validation into the pinned 400 `invalid_request`, with a
 * `details` list of `{path, message}`. Values are never echoed: a rejected
 * field may be a password.
 * @module
 */
import type { Hook } from "@hono/zod-openapi";
import type { z } from "zod";
import type { AppEnv } from "./context.ts";
import { ApiError, type ErrorDetail } from "./errors.ts";
import { namelessQueryPart, undecodableQueryPart } from "./queryEncoding.ts";

const MAX_DETAILS = 20;
const MAX_KEY_CHARS = 64;

/** Maps zod issues to error details (bounded: a hostile body can fail many ways). */
export function issueDetails(issues: readonly z.core.$ZodIssue[], target?: string): ErrorDetail[] {
  const path = (segments: readonly PropertyKey[]) =>
    [target, ...segments.map(String)].filter(Boolean).join(".") || "(root)";
  // An unknown key becomes its own detail at its own path (zod lists them all in one
  // message, quoted); a client-chosen name is cut short like any echoed text.
  return issues
    .flatMap((issue) =>
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => ({
            path: path([...issue.path, key.slice(0, MAX_KEY_CHARS)]),
            message: "is not a known field",
          }))
        : [{ path: path(issue.path), message: issue.message }],
    )
    .slice(0, MAX_DETAILS);
}

/**
 * OpenAPIHono `defaultHook`: throws `invalid_request` on any validation failure,
 * and on a query with an escape that decodes to nothing or a value without a
 * name (queryEncoding.ts): it runs after the route's authentication, like the
 * rest of validation.
 */
// biome-ignore lint/suspicious/noExplicitAny: Hook's input/output generics vary per route.
export const validationHook: Hook<any, AppEnv, any, any> = (result, c) => {
  if (result.target === "query") {
    const part = undecodableQueryPart(c.req.url);
    if (part !== 0) {
      throw new ApiError("invalid_request", {
        message: "The request query holds a percent escape that is not valid UTF-8.",
        details: [{ path: `query[${part}]`, message: "invalid percent-encoding" }],
      });
    }
    const nameless = namelessQueryPart(c.req.url);
    if (nameless !== 0) {
      throw new ApiError("invalid_request", {
        message: "The request query holds a value without a name.",
        details: [{ path: `query[${nameless}]`, message: "has no name" }],
      });
    }
  }
  if (!result.success) {
    throw new ApiError("invalid_request", {
      message: `The request ${result.target} is invalid.`,
      details: issueDetails(result.error.issues, result.target),
    });
  }
};
