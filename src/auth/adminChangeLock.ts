/**
 * Changes to admin accounts are serialized across instances: the admin
 * routes' count-then-update (two admins disabling each other) and the start-up
 * bootstrap (two machines creating the admin at once) would otherwise race
 * under PostgreSQL's READ COMMITTED. SQLite serializes writers already.
 * @module
 */
import type { Executor } from "../storage/index.ts";

/** Advisory-lock key for admin-account changes (any constant unique to this use). */
const ADMIN_CHANGE_LOCK = 0x7472_6164; // "trad"

/** Takes the admin-change lock until the current transaction ends (PostgreSQL only). */
export async function lockAdminChanges(tx: Executor): Promise<void> {
  if (tx.dialect === "postgres") await tx.sql`SELECT pg_advisory_xact_lock(${ADMIN_CHANGE_LOCK})`;
}
