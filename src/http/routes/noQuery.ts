/**
 * The query of a route that takes none. A parameter it does not define is a
 * 400 naming it, never ignored (README): `?as_of=2020-01-01` on the sentiment
 * route answered today's sentiment as if it had been honoured.
 * @module
 */
import { z } from "@hono/zod-openapi";

/** No query parameters at all. */
export const NoQuery = z.strictObject({});
