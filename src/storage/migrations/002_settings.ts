/**
 * Key/value settings shared by every instance (maintenance mode, the global
 * token not-before). Values are text; callers encode JSON where they need
 * structure.
 * @module
 */
import type { Migration } from "./types.ts";

const statements = [
  `CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
  )`,
];

/** Migration 002. */
export const migration: Migration = {
  id: 2,
  name: "settings",
  sqlite: statements,
  postgres: statements,
};
