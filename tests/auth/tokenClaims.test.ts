/**
 * The hand-written claim check (src/auth/tokens/claims.ts) against the zod
 * schema it replaced: same verdict on every case of a generated catalogue of
 * edge values for every claim, so the speed-up changed no rule.
 */
import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { ROLES } from "../../src/auth/roles.ts";
import { parseClaims } from "../../src/auth/tokens/claims.ts";

// RFC 7519 §2 NumericDates may be non-integer; the zod schema that replaced the int-only one.
const numericDate = z.number().nonnegative().max(1e11);
/**
 * Ids are looked up in the database, whose text cannot hold U+0000 or a lone surrogate
 * (no UTF-8 form: a signed token with one in `sid` got a 400 about NUL, not the 401).
 */
const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^\0]*$/)
  .refine((s) => s.isWellFormed());
/** The schema the verifier used before the hand-written check (the oracle). */
const reference = z.object({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string()).max(8)]),
  sub: id,
  sid: id,
  role: z.enum(ROLES),
  iat: numericDate,
  exp: numericDate,
  nbf: numericDate.optional(),
  jti: id,
  ver: z.number().int().nonnegative(),
});

const good = {
  iss: "trading-server",
  aud: "trading-api",
  sub: "u1",
  sid: "s1",
  role: "viewer",
  iat: 1_800_000_000,
  exp: 1_800_000_900,
  jti: "j1",
  ver: 0,
};

const ABSENT = Symbol("absent");
const common: unknown[] = [
  ABSENT,
  null,
  true,
  0,
  -0,
  -1,
  1.5,
  1_800_000_000.25,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  1e11,
  1e11 + 1,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 60,
  "",
  "x",
  "x".repeat(64),
  "x".repeat(65),
  "\u0000",
  "a\u0000b",
  "\ud800",
  "a\udfffb",
  "\ud83d\ude00",
  "0",
  [],
  ["a"],
  ["a", 1],
  Array(8).fill("a"),
  Array(9).fill("a"),
  {},
  "viewer",
  "trader",
  "admin",
  "root",
  "Admin",
];

describe("hand-written claim check = the zod schema", () => {
  const keys = [...Object.keys(good), "nbf", "extra"];
  test.each(keys)("every edge value of %s gets the same verdict", (key) => {
    for (const value of common) {
      const claims: Record<string, unknown> = { ...good };
      if (value === ABSENT) delete claims[key];
      else claims[key] = value;
      const expected = reference.safeParse(claims).success;
      expect({ key, value: value as unknown, ok: parseClaims(claims) !== undefined }).toEqual({
        key,
        value,
        ok: expected,
      });
    }
  });

  test("the complete good claim set passes both", () => {
    expect(reference.safeParse(good).success).toBe(true);
    expect(parseClaims({ ...good }) as unknown).toEqual(good);
  });
});
