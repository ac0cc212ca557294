/**
 * The hash-chained audit log (see docs/storage.md for the encoding).
 *
 * `seq` is assigned by the application under the chain-head lock, not by a
 * sequence, so it has no gaps and a gap means a deleted row. The single
 * `audit_chain_head` row is both the append lock (`SELECT … FOR UPDATE` on
 * PostgreSQL) and the record of the last event, so deleting the newest rows
 * is detected too. Triggers make the table append-only against accidental
 * UPDATE/DELETE; they do not stop someone with DDL rights, the chain does.
 * @module
 */
import type { Migration } from "./types.ts";

const GENESIS = "0".repeat(64);

const tables = [
  `CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    type TEXT NOT NULL,
    actor TEXT,
    target TEXT,
    outcome TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT,
    request_id TEXT,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  )`,
  "CREATE INDEX audit_events_type_seq ON audit_events (type, seq)",
  "CREATE INDEX audit_events_actor_seq ON audit_events (actor, seq)",
  "CREATE INDEX audit_events_at ON audit_events (at)",
  `CREATE TABLE audit_chain_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
  )`,
  `INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '${GENESIS}')`,
];

/** Migration 003. */
export const migration: Migration = {
  id: 3,
  name: "audit_events",
  sqlite: [
    ...tables,
    `CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
     BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`,
    `CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
     BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`,
  ],
  postgres: [
    ...tables,
    `CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$`,
    `CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
     FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`,
  ],
};
