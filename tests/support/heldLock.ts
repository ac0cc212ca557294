/**
 * Locks held by another connection (a second instance mid-transaction, an
 * operator's `LOCK TABLE`), for tests of commands that must fail in bounded
 * time when the database stalls, and of races that need one side to wait.
 */
import type { Database } from "../../src/storage/index.ts";

/** A held lock: let it go with `release()`; `done` settles when its transaction ends. */
export interface HeldLock {
  release(): void;
  done: Promise<void>;
}

/**
 * Runs `statement` (one that takes locks: `LOCK TABLE`, `SELECT … FOR UPDATE`) in a
 * transaction on `db`, resolving once it has run; the transaction stays open until released.
 */
export async function holdLocks(
  db: Database,
  statement: string,
  params: unknown[] = [],
): Promise<HeldLock> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const done = db.transaction(async (tx) => {
    await tx.unsafe(statement, params);
    locked();
    await released;
  });
  await Promise.race([isLocked, done]);
  return { release, done };
}

/** Takes `LOCK TABLE <table> IN ACCESS EXCLUSIVE MODE` on `db` and resolves once it is held. */
export async function holdTableLock(db: Database, table: string): Promise<HeldLock> {
  if (!/^[a-z_]+$/.test(table)) throw new Error("table must be a plain identifier");
  return holdLocks(db, `LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
}
