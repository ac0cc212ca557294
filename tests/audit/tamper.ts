/**
 * Raw-SQL tampering for the verify tests: what an attacker with database
 * access would do, append-only triggers switched off first.
 */
import type { Database } from "../../src/storage/index.ts";

/** Disables the append-only triggers so raw UPDATE/DELETE go through. */
export async function disableAppendOnly(db: Database): Promise<void> {
  if (db.dialect === "sqlite") {
    await db.unsafe("DROP TRIGGER audit_events_no_update");
    await db.unsafe("DROP TRIGGER audit_events_no_delete");
    await db.unsafe("DROP TRIGGER audit_events_no_replace");
  } else {
    await db.unsafe("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change");
    await db.unsafe("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_truncate");
  }
}
