/**
 * The access-token claim schema, checked with zod after the signature.
 * @module
 */
import { z } from "zod";
import { ROLES } from "../roles.ts";

const numericDate = z.number().int().nonnegative().max(1e11);

/** Claims every access token must carry, with their types. */
export const accessClaimsSchema = z.object({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string()).max(8)]),
  sub: z.string().min(1).max(64),
  sid: z.string().min(1).max(64),
  role: z.enum(ROLES),
  iat: numericDate,
  exp: numericDate,
  nbf: numericDate.optional(),
  jti: z.string().min(1).max(64),
  ver: z.number().int().nonnegative(),
});

/** Parsed claims as they arrive on the wire. */
export type WireClaims = z.infer<typeof accessClaimsSchema>;
