/**
 * A string that is stored or looked up in the database: no U+0000, which
 * PostgreSQL text cannot hold, and no lone surrogate, which has no UTF-8 form
 * (it would be stored as U+FFFD). Refused here with the field's name instead of
 * the storage layer's generic 400 (src/storage/storableText.ts).
 * @module
 */
import { z } from "@hono/zod-openapi";

/** `z.string()` refusing U+0000 and lone surrogates; chain `.min()`/`.max()` as usual. */
export const storedText = () =>
  z
    .string()
    .regex(/^[^\0]*$/, "must not contain U+0000 (NUL)")
    .refine((s) => s.isWellFormed(), "must not contain a lone surrogate (\\ud800-\\udfff)");
