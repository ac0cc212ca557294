/**
 * Users, sessions and refresh tokens. Timestamps are epoch milliseconds
 * (BIGINT), flags are 0/1 integers, ids are text: the same SQL reads the same
 * on both dialects. Refresh tokens are stored only as SHA-256 digests.
 * @module
 */
import type { Migration } from "./types.ts";

const statements = [
  `CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    token_version INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  )`,
  `CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    absolute_expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    revoked_reason TEXT,
    user_agent TEXT,
    ip TEXT
  )`,
  "CREATE INDEX sessions_user_id ON sessions (user_id)",
  `CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    spent_at BIGINT,
    replaced_by TEXT
  )`,
  "CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id)",
];

/** Migration 001. */
export const migration: Migration = {
  id: 1,
  name: "auth",
  sqlite: statements,
  postgres: statements,
};
