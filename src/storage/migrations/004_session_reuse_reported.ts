/**
 * When a session's spent refresh token was first replayed outside the grace.
 * Reuse is audited once per session: the first such replay ends the session
 * (or finds it already ended, by logout, password change, disable or
 * revoke-all) and is recorded; later replays of any of its spent tokens are
 * refused without another audit row, so one stolen token cannot grow the log.
 * @module
 */
import type { Migration } from "./types.ts";

const statements = ["ALTER TABLE sessions ADD COLUMN reuse_reported_at BIGINT"];

/** Migration 004. */
export const migration: Migration = {
  id: 4,
  name: "session_reuse_reported",
  sqlite: statements,
  postgres: statements,
};
