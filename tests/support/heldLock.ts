/**
 * A table lock held by another connection (a second instance mid-transaction,
 * an operator's `LOCK TABLE`), for tests of commands that must fail in bounded
 * time when the database stalls.
 */
import type { Database } from "../../src/storage/index.ts";

/** A held lock: let it go with `release()`; `done` settles when its transaction ends. */
export interface HeldLock {
  release(): void;
  done: Promise<void>;
}

/** Takes `LOCK TABLE <table> IN ACCESS EXCLUSIVE MODE` on `db` and resolves once it is held. */
export async function holdTableLock(db: Database, table: string): Promise<HeldLock> {
  if (!/^[a-z_]+$/.test(table)) throw new Error("table must be a plain identifier");
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const done = db.transaction(async (tx) => {
    await tx.unsafe(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    locked();
    await released;
  });
  await Promise.race([isLocked, done]);
  return { release, done };
}
