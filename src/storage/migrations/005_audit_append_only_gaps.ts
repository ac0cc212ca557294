/**
 * Closes the ways around migration 003's append-only triggers that a probe
 * found: PostgreSQL's `TRUNCATE` fires no row trigger, and SQLite's
 * `INSERT OR REPLACE` deletes the old row without firing a delete trigger
 * (unless `recursive_triggers` is on). The chain head row cannot be deleted
 * either. The hash chain detected both already; now the database refuses them.
 * @module
 */
import type { Migration } from "./types.ts";

/** Migration 005. */
export const migration: Migration = {
  id: 5,
  name: "audit_append_only_gaps",
  sqlite: [
    `CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events
     WHEN EXISTS (SELECT 1 FROM audit_events WHERE seq = NEW.seq)
     BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`,
    `CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head
     BEGIN SELECT RAISE(ABORT, 'audit_chain_head cannot be removed'); END`,
  ],
  postgres: [
    `CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
     FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`,
    `CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE OR TRUNCATE ON audit_chain_head
     FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`,
  ],
};
