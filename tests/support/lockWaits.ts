/**
 * Waits until PostgreSQL itself shows statements of the current database
 * waiting on a lock: how race tests know the other side reached its window,
 * instead of sleeping and hoping.
 * @module
 */
import type { Database } from "../../src/storage/index.ts";

/** Polls `pg_stat_activity` (bounded, 5 s) until `count` statements wait on a lock; returns how many do. */
export async function lockWaits(watcher: Database, count = 1): Promise<number> {
  const deadline = Date.now() + 5_000;
  let waiting = 0;
  while (waiting < count && Date.now() < deadline) {
    const [row] = await watcher.sql<{ n: number }>`
      SELECT COUNT(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    waiting = Number(row?.n ?? 0);
    if (waiting < count) await Bun.sleep(10);
  }
  return waiting;
}
