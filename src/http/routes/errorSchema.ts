/**
 * The pinned error body in the OpenAPI document, one registered schema for
 * every route, and the response entries routes list for their error statuses.
 * @module
 */
import { z } from "@hono/zod-openapi";

/** Shared error body for the OpenAPI document. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      request_id: z.string(),
      details: z
        .array(
          z.object({
            path: z.string().openapi({
              description:
                "The part at fault: `json.` (body), `query.` or `param.` (path) and the field, e.g. `query.start`",
            }),
            message: z.string(),
          }),
        )
        .optional(),
    }),
  })
  .openapi("Error");

/** An error response entry for `responses`. */
export const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorSchema } },
});

/** What every bearer-protected route can answer before its handler runs. */
export const guardResponses = {
  401: errorResponse("Missing, invalid, expired or revoked access token (`unauthorized`)"),
  403: errorResponse("Role not allowed (`forbidden`)"),
  429: errorResponse("Rate limited (`rate_limited`, with Retry-After)"),
} as const;
