/**
 * The answers app-level middleware can give before a route's handler runs,
 * added to each operation of the OpenAPI document so that every route lists
 * every status and header it may return:
 *
 * - the rate limiter (429 `rate_limited`, 503 `rate_limiter_unavailable`): on
 *   `/v1`, and per IP on every other path but the health checks;
 * - the maintenance gate (503 `maintenance`, on `/v1` outside auth and admin);
 * - the database (503 `service_unavailable`, on `/v1`: an outage or an unconfirmed commit);
 * - the Host check and the strict query (400 `invalid_request`, on every
 *   operation: two Host headers; where a query is read, a parameter the route
 *   does not define or an escape that decodes to nothing);
 * - the body limit (413 `payload_too_large`, on every method that can carry a
 *   body, with or without a documented one);
 * - the error handler (500 `internal`);
 * - the headers DESIGN §6 pins: `X-Request-Id` on every answer (required),
 *   `Retry-After` on 429 (required) and 503 (when a retry is safe),
 *   `WWW-Authenticate` on 401, `RateLimit-Policy` and `RateLimit` where a
 *   limit applies (not on a 413: the body limit answers before the limiter).
 *
 * A route's own entry for one of these statuses keeps its description, with
 * the middleware's meaning appended.
 * @module
 */
import { EXEMPT_FROM_MAINTENANCE } from "./middleware/maintenance.ts";
import { PROBE_PATHS } from "./probePaths.ts";

/** The parts of an OpenAPI 3.1 document this reads and extends. */
interface OpenApiDocument {
  paths?: object;
  components?: object;
}

interface ResponseEntry {
  description?: unknown;
  headers?: Record<string, unknown>;
}

interface Operation {
  responses?: Record<string, ResponseEntry>;
  /** Security requirements; `[]` for a public operation. */
  security?: Array<Record<string, string[]>>;
}

const METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options"]);
const BODY_METHODS = new Set(["put", "post", "delete", "patch"]);

const errorEntry = (description: string): ResponseEntry =>
  ({
    description,
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  }) as ResponseEntry;

const RATE_LIMIT_POLICY = {
  description: 'The limits that apply (IETF draft syntax, e.g. `"user";q=600;w=60`)',
  schema: { type: "string" },
};
const RATE_LIMIT = {
  description:
    'What is left of each limit (IETF draft syntax, e.g. `"user";r=599;t=1`: `t` is seconds until the limit is full again)',
  schema: { type: "string" },
};

/** Reusable header objects, referenced from every response that carries them. */
const HEADERS = {
  RequestId: {
    description:
      "The request's id (the caller's `X-Request-Id` when it is safe, else a UUID); also in the body of errors",
    required: true,
    schema: { type: "string" },
  },
  RetryAfter: {
    description: "Seconds to wait before trying again (an integer, at least 1)",
    required: true,
    schema: { type: "integer", minimum: 1 },
  },
  RetryAfterWhenSafe: {
    description:
      "Seconds to wait before trying again (an integer, at least 1). Absent only after an unconfirmed commit (a retry could repeat the change). For `provider_unavailable`: the wait the provider or the open breaker named, else 5, and 300 when the provider refused the request itself",
    schema: { type: "integer", minimum: 1 },
  },
  WwwAuthenticate: {
    description: 'The Bearer challenge; `error="invalid_token"` when a token was sent and refused',
    schema: { type: "string" },
  },
  RateLimitPolicy: RATE_LIMIT_POLICY,
  RateLimit: {
    ...RATE_LIMIT,
    description: `${RATE_LIMIT.description}; absent when the limiter could not decide`,
  },
  // On a success the limiter has decided, so both are always there (DESIGN §6 pins them).
  RateLimitPolicyDecided: { ...RATE_LIMIT_POLICY, required: true },
  RateLimitDecided: { ...RATE_LIMIT, required: true },
};

const ref = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });

/** Adds the middleware answers to every operation of `doc`, in place; returns `doc`. */
export function withMiddlewareResponses<T extends OpenApiDocument>(doc: T): T {
  const components = (doc.components ?? {}) as { headers?: Record<string, unknown> };
  components.headers = { ...components.headers, ...HEADERS };
  doc.components = components;
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (item === null || typeof item !== "object") continue;
    for (const [method, value] of Object.entries(item)) {
      if (!METHODS.has(method) || value === null || typeof value !== "object") continue;
      const operation = value as Operation;
      // Said, not left out: an operation without `security` reads as "not stated".
      operation.security ??= [];
      operation.responses ??= {};
      addStatuses(operation.responses, path, method);
      addHeaders(operation.responses, !PROBE_PATHS.has(path));
    }
  }
  return doc;
}

function addStatuses(responses: Record<string, ResponseEntry>, path: string, method: string): void {
  const add = (status: string, description: string) => {
    const own = responses[status];
    if (own === undefined) responses[status] = errorEntry(description);
    else if (typeof own.description === "string" && !own.description.includes(description)) {
      // The route's own meaning of the status first, then what middleware may send with it.
      own.description = `${own.description}; or ${description}`;
    }
  };
  add(
    "400",
    "Invalid request (`invalid_request`): two Host headers; where the route reads a query, a parameter it does not define or an escape that is not UTF-8",
  );
  if (BODY_METHODS.has(method)) add("413", "Body over BODY_LIMIT (`payload_too_large`)");
  if (!PROBE_PATHS.has(path)) {
    add("429", "Rate limited (`rate_limited`, with Retry-After)");
    add(
      "503",
      !path.startsWith("/v1/") || EXEMPT_FROM_MAINTENANCE.test(path)
        ? "Rate limiter unavailable (`rate_limiter_unavailable`, with Retry-After)"
        : "Rate limiter unavailable (`rate_limiter_unavailable`) or maintenance (`maintenance`), with Retry-After",
    );
  }
  if (path.startsWith("/v1/")) {
    add(
      "503",
      "Database unavailable (`service_unavailable`, with Retry-After; without it when a commit went unconfirmed)",
    );
  }
  add("500", "Unexpected server error (`internal`); the details are in the server's log");
}

function addHeaders(responses: Record<string, ResponseEntry>, limited: boolean): void {
  for (const [status, entry] of Object.entries(responses)) {
    const headers: Record<string, unknown> = { ...entry.headers, "X-Request-Id": ref("RequestId") };
    if (status === "429") headers["Retry-After"] = ref("RetryAfter");
    // A probe's 503 (`/readyz`) reports a state, not a refusal to retry after.
    if (status === "503" && limited) headers["Retry-After"] = ref("RetryAfterWhenSafe");
    if (status === "401") headers["WWW-Authenticate"] = ref("WwwAuthenticate");
    if (limited && status.startsWith("2")) {
      headers["RateLimit-Policy"] = ref("RateLimitPolicyDecided");
      headers.RateLimit = ref("RateLimitDecided");
    } else if (limited && status !== "413") {
      headers["RateLimit-Policy"] = ref("RateLimitPolicy");
      headers.RateLimit = ref("RateLimit");
    }
    entry.headers = headers;
  }
}
