/**
 * A whole number in a query string, written in decimal digits only. `z.coerce.number()`
 * read `0x10`, `1e3`, `+5`, `5.0` and an empty value (as 0) as numbers, which the
 * OpenAPI document (an integer) does not promise; this accepts what it documents.
 * @module
 */
import { z } from "@hono/zod-openapi";

const DIGITS = /^[0-9]{1,6}$/;
const MESSAGE = "must be a whole number in decimal digits";

/** `limit`-style parameter: decimal digits, `min`..`max`; absent → `fallback`. Documented as an integer. */
export function queryInteger(min: number, max: number, fallback: number) {
  return z.preprocess(
    // Anything but plain digits becomes NaN, which the number schema refuses with MESSAGE.
    (value) =>
      value === undefined
        ? undefined
        : typeof value === "string" && DIGITS.test(value)
          ? Number(value)
          : Number.NaN,
    z
      .number({ error: MESSAGE })
      .int()
      // Own messages: the type's would otherwise say "decimal digits" about `limit=0`.
      .min(min, { error: `must be ${min}..${max}` })
      .max(max, { error: `must be ${min}..${max}` })
      .default(fallback),
  );
}
