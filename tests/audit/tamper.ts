/**
 * Raw-SQL tampering for the verify tests: what an attacker with database
 * access would do, append-only triggers switched off first.
 */
import type { Database, Executor } from "../../src/storage/index.ts";

/** Disables the append-only triggers and the seq range so raw UPDATE/DELETE/INSERT go through. */
export async function disableAppendOnly(db: Database): Promise<void> {
  if (db.dialect === "sqlite") {
    await db.unsafe("DROP TRIGGER audit_events_no_update");
    await db.unsafe("DROP TRIGGER audit_events_no_delete");
    await db.unsafe("DROP TRIGGER audit_events_no_replace");
    await db.unsafe("DROP TRIGGER audit_events_seq_range");
  } else {
    await db.unsafe("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change");
    await db.unsafe("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_truncate");
    await db.unsafe("ALTER TABLE audit_events DROP CONSTRAINT audit_events_seq_range");
  }
}

/** Inserts a row at `seq` that no append wrote (a plausible type, a made-up hash), with the server's rights. */
export const plant = (db: Executor, seq: number | string | bigint | null) =>
  db.sql`INSERT INTO audit_events
    (seq, at, type, actor, target, outcome, ip, user_agent, request_id, details, prev_hash, hash)
    VALUES (${seq}, 1, 'user_created', 'mallory', NULL, 'success', NULL, NULL, NULL, '{}',
            ${"a".repeat(64)}, ${"b".repeat(64)})`;
