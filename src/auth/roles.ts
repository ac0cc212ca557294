/**
 * Roles, ordered: each includes the permissions of the ones before it.
 * @module
 */

export const ROLES = ["viewer", "trader", "admin"] as const;

/** A user's role. */
export type Role = (typeof ROLES)[number];

/** True when `role` grants at least what `required` grants. */
export const roleAtLeast = (role: Role, required: Role): boolean =>
  ROLES.indexOf(role) >= ROLES.indexOf(required);
