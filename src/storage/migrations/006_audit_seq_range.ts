/**
 * Every audit seq is an integer from 1 to 2^53 - 1: the range the log writes,
 * and the one a JavaScript number holds exactly. A row outside it (a text or
 * fractional seq on SQLite, 2^63 - 1 on PostgreSQL) could only be planted, and
 * reading it back threw or compared wrongly; now the database refuses it.
 * The PostgreSQL constraint is NOT VALID: rows already present are left for
 * `verify` to judge, and a database holding one still migrates.
 * @module
 */
import type { Migration } from "./types.ts";

const MAX_SEQ = "9007199254740991";

/** Migration 006. */
export const migration: Migration = {
  id: 6,
  name: "audit_seq_range",
  sqlite: [
    `CREATE TRIGGER audit_events_seq_range BEFORE INSERT ON audit_events
     WHEN typeof(NEW.seq) != 'integer' OR NEW.seq < 1 OR NEW.seq > ${MAX_SEQ}
     BEGIN SELECT RAISE(ABORT, 'audit_events.seq must be an integer from 1 to 2^53 - 1'); END`,
  ],
  postgres: [
    `ALTER TABLE audit_events ADD CONSTRAINT audit_events_seq_range
     CHECK (seq BETWEEN 1 AND ${MAX_SEQ}) NOT VALID`,
  ],
};
