/**
 * The answers app-level middleware can give before a route's handler runs,
 * added to each operation of the OpenAPI document so that every route lists
 * every status it may return: the `/v1` rate limiter (429 `rate_limited`, 503
 * `rate_limiter_unavailable`), the maintenance gate (503 `maintenance`, on `/v1`
 * outside auth and admin) and the body limit (413 `payload_too_large`, on
 * operations with a body). A route's own entry for one of these statuses keeps
 * its description, with the middleware's meaning appended.
 * @module
 */
import { EXEMPT_FROM_MAINTENANCE } from "./middleware/maintenance.ts";

/** The parts of an OpenAPI 3.1 document this reads and extends. */
interface OpenApiDocument {
  paths?: object;
}

interface Operation {
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}

const METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options"]);

const errorEntry = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

/** Adds the middleware answers to every operation of `doc`, in place; returns `doc`. */
export function withMiddlewareResponses<T extends OpenApiDocument>(doc: T): T {
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (item === null || typeof item !== "object") continue;
    for (const [method, value] of Object.entries(item)) {
      if (!METHODS.has(method) || value === null || typeof value !== "object") continue;
      const operation = value as Operation;
      if (operation.responses === undefined) operation.responses = {};
      const responses = operation.responses;
      const add = (status: string, description: string) => {
        const own = responses[status] as { description?: unknown } | undefined;
        if (own === undefined) responses[status] = errorEntry(description);
        else if (typeof own.description === "string" && !own.description.includes(description)) {
          // The route's own meaning of the status first, then what middleware may send with it.
          own.description = `${own.description}; or ${description}`;
        }
      };
      if (operation.requestBody !== undefined) {
        add("413", "Body over BODY_LIMIT (`payload_too_large`)");
      }
      if (!path.startsWith("/v1/")) continue;
      add("429", "Rate limited (`rate_limited`, with Retry-After)");
      add(
        "503",
        EXEMPT_FROM_MAINTENANCE.test(path)
          ? "Rate limiter unavailable (`rate_limiter_unavailable`, with Retry-After)"
          : "Rate limiter unavailable (`rate_limiter_unavailable`) or maintenance (`maintenance`), with Retry-After",
      );
    }
  }
  return doc;
}
