/**
 * A string that is stored or looked up in the database: no U+0000, which
 * PostgreSQL text cannot hold. Refused here with the field's name instead of
 * the storage layer's generic 400 (src/storage/storableText.ts).
 * @module
 */
import { z } from "@hono/zod-openapi";

/** `z.string()` refusing U+0000; chain `.min()`/`.max()` as usual. */
export const storedText = () => z.string().regex(/^[^\0]*$/, "must not contain U+0000 (NUL)");
