/**
 * A required JSON request body for `createRoute`. Routes that take one also
 * mount `strictJsonText()` after their authentication (middleware/strictJsonText.ts).
 * @module
 */
import type { z } from "@hono/zod-openapi";

/** `request.body` of a route whose body is `schema` as `application/json`. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  content: { "application/json": { schema } },
  required: true,
});
