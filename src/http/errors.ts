/**
 * The pinned error model: a closed set of codes, each with one HTTP status,
 * and one JSON body shape for every error the API returns.
 *
 * `{"error":{"code","message","request_id","details"?}}` — never a stack trace,
 * a secret or a token.
 * @module
 */

/** Every error code the API may answer with, mapped to its status. */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_grant: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  rate_limiter_unavailable: 503,
  maintenance: 503,
  provider_unavailable: 503,
  service_unavailable: 503,
} as const;

/** A code from the closed set. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** The HTTP status of each code. */
export type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode];

/** The bare Bearer challenge (RFC 6750 §3): no token, or no token to speak of. */
export const BEARER_CHALLENGE = 'Bearer realm="trading-server"';

/**
 * Headers every error of a code carries. RFC 9110 §15.5.2: a 401 MUST carry a
 * challenge, also when the credentials were a username and password in the
 * body; it is the same on every login failure, so it tells nobody anything.
 */
const DEFAULT_HEADERS: Partial<Record<ErrorCode, Record<string, string>>> = {
  invalid_credentials: { "WWW-Authenticate": BEARER_CHALLENGE },
};

/** Default human messages; routes may pass a more specific one. */
const DEFAULT_MESSAGE: Record<ErrorCode, string> = {
  invalid_request: "The request is invalid.",
  invalid_grant: "The refresh token is invalid or expired.",
  unauthorized: "A valid access token is required.",
  invalid_credentials: "Invalid username or password.",
  forbidden: "Your role does not allow this action.",
  not_found: "Not found.",
  method_not_allowed: "Method not allowed.",
  conflict: "The resource already exists.",
  payload_too_large: "The request body is too large.",
  unsupported_media_type: "The request body must be JSON.",
  rate_limited: "Too many requests.",
  internal: "Internal server error.",
  rate_limiter_unavailable: "Rate limiting is unavailable; try again shortly.",
  maintenance: "The service is in maintenance.",
  provider_unavailable: "The data provider is unavailable.",
  service_unavailable: "The service is unavailable.",
};

/** Structured detail about a validation failure: where, and what was expected. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** Options for {@link ApiError}. */
export interface ApiErrorOptions {
  message?: string;
  details?: ErrorDetail[];
  /** Extra response headers (`Retry-After`, `WWW-Authenticate`, …), over the code's defaults. */
  headers?: Record<string, string>;
  /**
   * A refusal by design under load (a full queue), not a fault: the access log
   * records it as a warning, so shedding a burst does not page anyone.
   */
  shed?: boolean;
}

/**
 * An error that maps to an API response. Thrown anywhere below a route; the
 * app's error handler renders it. Stack capture is skipped: these are
 * expected outcomes on hot paths (rate limits, bad tokens), not bugs.
 */
export class ApiError extends Error {
  readonly isApiError = true;
  readonly status: ErrorStatus;
  readonly details: ErrorDetail[] | undefined;
  readonly headers: Record<string, string>;
  readonly shed: boolean;

  constructor(
    readonly code: ErrorCode,
    options: ApiErrorOptions = {},
  ) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(options.message ?? DEFAULT_MESSAGE[code]);
    Error.stackTraceLimit = limit;
    this.name = "ApiError";
    this.status = ERROR_STATUS[code];
    this.details = options.details;
    this.headers = { ...DEFAULT_HEADERS[code], ...options.headers };
    this.shed = options.shed ?? false;
  }
}

/** True when `e` is an {@link ApiError}. */
export const isApiError = (e: unknown): e is ApiError =>
  e instanceof Error && "isApiError" in e && (e as ApiError).isApiError === true;

/** The pinned JSON error body. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; request_id: string; details?: ErrorDetail[] };
}

/** Renders the error body for `error` and a request id. */
export function errorBody(error: ApiError, requestId: string): ErrorBody {
  const body: ErrorBody = {
    error: { code: error.code, message: error.message, request_id: requestId },
  };
  if (error.details) body.error.details = error.details;
  return body;
}

/** Renders a complete JSON error response. */
export function errorResponse(error: ApiError, requestId: string): Response {
  return new Response(JSON.stringify(errorBody(error, requestId)), {
    status: error.status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      ...error.headers,
    },
  });
}
