/**
 * An index of each user's live sessions by last use, for the per-user session
 * cap (`endBeyond` in src/auth/sessions.ts): every login reads them, and ended
 * sessions stay for a week before pruning, so the plain `user_id` index made
 * a script's logins walk hundreds of thousands of ended rows inside the write
 * transaction. Partial: only live rows (both dialects support the form).
 * @module
 */
import type { Migration } from "./types.ts";

const INDEX =
  "CREATE INDEX sessions_user_live ON sessions (user_id, last_used_at) WHERE revoked_at IS NULL";

/** Migration 008. */
export const migration: Migration = {
  id: 8,
  name: "sessions_live_index",
  sqlite: [INDEX],
  postgres: [INDEX],
};
