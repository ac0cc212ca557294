/**
 * An index for the audit `target` filter: "every failed login on this account"
 * is a first question in an incident, and a failed login's actor is null, so
 * only `target` finds them. Without it the filter read the log newest first to
 * the end when the account was quiet.
 * @module
 */
import type { Migration } from "./types.ts";

/** Migration 007. */
export const migration: Migration = {
  id: 7,
  name: "audit_target_index",
  sqlite: ["CREATE INDEX audit_events_target_seq ON audit_events (target, seq)"],
  postgres: ["CREATE INDEX audit_events_target_seq ON audit_events (target, seq)"],
};
