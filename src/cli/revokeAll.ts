/**
 * `revoke-all`: the emergency stop of `POST /v1/admin/revoke-all` from the
 * command line. Every session of every user ends and every access token issued
 * until now is refused, on every instance using the database, within a second.
 * It needs no admin sign-in and no running server: after restoring a backup it
 * runs before the server starts, so the sessions the backup brought back are
 * never usable. Prints `{"sessions_ended":N,"not_before":"<ISO-8601>"}`; exit 0,
 * 1 when the database cannot be written or its schema is not this build's, 2
 * on usage.
 * @module
 */
import { hostname } from "node:os";
import { createAuditLog } from "../audit/index.ts";
import { recordTo } from "../auth/auditTrail.ts";
import { revokeAll } from "../auth/revokeAll.ts";
import type { Config } from "../config/index.ts";
import {
  type Database,
  databaseNow,
  mayHaveCommitted,
  requireCurrentSchema,
} from "../storage/index.ts";
import { loadDatabaseUrl, withDatabase } from "./databaseCommand.ts";
import { type CommandIo, EXIT } from "./io.ts";

/** Local clock this far from the database's earns a warning. */
const SKEW_WARN_MS = 2_000;

/**
 * The longest one statement or the transaction may take (PostgreSQL). An emergency stop
 * that hangs on a held lock or a lost synchronous standby tells the operator nothing;
 * failing says so, and running the command again is safe.
 */
export const REVOKE_QUERY_TIMEOUT_MS = 30_000;

/**
 * Revokes everything in `config.DATABASE_URL`; resolves to the exit code.
 * The cut-off is the database's time (`now`, injectable for tests): run from a
 * laptop whose clock is ahead, a local cut-off would refuse every token the
 * servers issue until that clock is reached, an outage in the middle of an
 * incident.
 */
export async function runRevokeAll(
  config: Pick<Config, "DATABASE_URL">,
  io: CommandIo,
  now: (db: Database) => Promise<number> = databaseNow,
  queryTimeoutMs = REVOKE_QUERY_TIMEOUT_MS,
): Promise<number> {
  return withDatabase(
    "revoke-all",
    config,
    io,
    async (db) => {
      // A schema this build does not know is not written to (an older binary's, or
      // one with migrations pending, which the events' encoding may not match).
      await requireCurrentSchema(db);
      const cutoff = await now(db);
      const skew = Date.now() - cutoff;
      if (Math.abs(skew) > SKEW_WARN_MS) {
        io.stderr(
          `revoke-all: this host's clock is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? "ahead of" : "behind"} the database's; the cut-off uses the database's\n`,
        );
      }
      const ended = await revokeAll(
        db,
        cutoff,
        recordTo(
          createAuditLog(db, {
            clock: { now: () => cutoff },
            onForeignRows: ({ headSeq, seq }) =>
              io.stderr(
                `revoke-all: the audit log has rows past its chain head (${headSeq ?? "unreadable"}); the event took seq ${seq}: run \`trading-server audit verify\`\n`,
              ),
          }),
        ),
        { actor: null, ip: null, userAgent: null, requestId: null },
        // Nobody is signed in: the event says where it came from instead.
        { source: "cli", host: hostname() },
      ).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : "unexpected failure";
        // Only a COMMIT left unanswered (a timeout, a lost connection) may have left it done;
        // any other failure was answered, and rolled the whole transaction back.
        const outcome = mayHaveCommitted(error)
          ? "it may or may not have taken effect"
          : "it did not take effect";
        throw new Error(`${message}; ${outcome}: running it again is safe`);
      });
      io.stdout(
        `${JSON.stringify({ sessions_ended: ended, not_before: new Date(cutoff).toISOString() })}\n`,
      );
      return EXIT.ok;
    },
    // A mistyped SQLite path must fail, not create an empty database and revoke nothing.
    { existing: true, queryTimeoutMs },
  );
}

/** `trading-server revoke-all [--environment ENV]`. */
export async function runRevokeAllCommand(
  args: string[],
  env: Record<string, string | undefined>,
  io: CommandIo,
): Promise<number> {
  const loaded = loadDatabaseUrl("revoke-all", args, env, io);
  if ("exit" in loaded) return loaded.exit;
  return runRevokeAll(loaded.config, io);
}
