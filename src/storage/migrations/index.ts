/**
 * Every migration the code knows, in order. Add a file `NNN_name.ts` and list
 * it here; never edit a released migration.
 * @module
 */
import { migration as auth } from "./001_auth.ts";
import { migration as settings } from "./002_settings.ts";
import { migration as auditEvents } from "./003_audit_events.ts";
import { migration as sessionReuseReported } from "./004_session_reuse_reported.ts";
import { migration as auditAppendOnlyGaps } from "./005_audit_append_only_gaps.ts";
import { migration as auditSeqRange } from "./006_audit_seq_range.ts";
import { migration as auditTargetIndex } from "./007_audit_target_index.ts";
import { migration as sessionsLiveIndex } from "./008_sessions_live_index.ts";
import type { Migration } from "./types.ts";

export type { Migration } from "./types.ts";

/** The known migrations, ascending by id. */
export const MIGRATIONS: readonly Migration[] = [
  auth,
  settings,
  auditEvents,
  sessionReuseReported,
  auditAppendOnlyGaps,
  auditSeqRange,
  auditTargetIndex,
  sessionsLiveIndex,
];
