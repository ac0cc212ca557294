/**
 * The shape of one versioned migration. Statements run in order inside one
 * transaction; DDL is transactional on both SQLite and PostgreSQL, so a
 * migration applies completely or not at all.
 * @module
 */

/** One schema change, with a statement list per dialect. */
export interface Migration {
  /** Positive, strictly increasing; never reused or renumbered once released. */
  id: number;
  /** Short snake_case name, recorded in `schema_migrations`. */
  name: string;
  sqlite: string[];
  postgres: string[];
}
