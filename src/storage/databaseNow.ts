/**
 * The database's clock. A command run from an operator's machine against a
 * remote PostgreSQL (`revoke-all`) takes its time from the database server,
 * whose clock the server instances share far more closely than a laptop's.
 * @module
 */
import type { Database } from "./database.ts";

/**
 * Now, in epoch ms, by the PostgreSQL server's clock; on SQLite (a file on
 * this machine) by this machine's clock, the one the server itself uses.
 */
export async function databaseNow(db: Database): Promise<number> {
  if (db.dialect === "sqlite") return Date.now();
  const [row] = await db.sql<{ ms: number }>`
    SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::float8 AS ms`;
  const ms = Number(row?.ms);
  if (!Number.isFinite(ms)) throw new Error("the database did not report its time");
  return Math.floor(ms);
}
