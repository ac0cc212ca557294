/**
 * The one date-time query format of the API, shared so that every parameter
 * publishes the same rule it is checked by: zod's RFC 3339 check is stricter
 * than JSON Schema's `date-time` (upper-case `T`/`Z`, no leap second), and the
 * description says so.
 * @module
 */
import { z } from "@hono/zod-openapi";

const FORMAT =
  "RFC 3339 date-time with `Z` or an offset; `T` and `Z` in upper case, seconds 00–59 (no leap second)";

/** An RFC 3339 date-time with `Z` or an offset, as accepted in queries. */
export const DateTime = z.iso.datetime({ offset: true }).openapi({
  example: "2024-03-15T14:30:00Z",
  description: FORMAT,
});

/** {@link DateTime}, optional, with what the parameter means before the format rule. */
export const optionalDateTime = (meaning: string) =>
  DateTime.optional().openapi({ description: `${meaning} ${FORMAT}` });
