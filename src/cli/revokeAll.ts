/**
 * `revoke-all`: the emergency stop of `POST /v1/admin/revoke-all` from the
 * command line. Every session of every user ends and every access token issued
 * until now is refused, on every instance using the database, within a second.
 * It needs no admin sign-in and no running server: after restoring a backup it
 * runs before the server starts, so the sessions the backup brought back are
 * never usable. Prints `{"sessions_ended":N,"not_before":"<ISO-8601>"}`; exit 0,
 * 1 when the database cannot be written, 2 on usage.
 * @module
 */
import { hostname } from "node:os";
import { createAuditLog } from "../audit/index.ts";
import { recordTo } from "../auth/auditTrail.ts";
import { revokeAll } from "../auth/revokeAll.ts";
import { type Clock, systemClock } from "../clock/index.ts";
import type { Config } from "../config/index.ts";
import { loadCommandConfig, withDatabase } from "./databaseCommand.ts";
import { type CommandIo, EXIT } from "./io.ts";

/** Revokes everything in `config.DATABASE_URL`; resolves to the exit code. */
export async function runRevokeAll(
  config: Pick<Config, "DATABASE_URL">,
  io: CommandIo,
  clock: Clock = systemClock,
): Promise<number> {
  return withDatabase(
    "revoke-all",
    config,
    io,
    async (db) => {
      const now = clock.now();
      const ended = await revokeAll(
        db,
        now,
        recordTo(createAuditLog(db, { clock })),
        { actor: null, ip: null, userAgent: null, requestId: null },
        // Nobody is signed in: the event says where it came from instead.
        { source: "cli", host: hostname() },
      );
      io.stdout(
        `${JSON.stringify({ sessions_ended: ended, not_before: new Date(now).toISOString() })}\n`,
      );
      return EXIT.ok;
    },
    // A mistyped SQLite path must fail, not create an empty database and revoke nothing.
    { existing: true },
  );
}

/** `trading-server revoke-all [--environment ENV]`. */
export async function runRevokeAllCommand(
  args: string[],
  env: Record<string, string | undefined>,
  io: CommandIo,
): Promise<number> {
  const loaded = loadCommandConfig("revoke-all", args, env, io);
  if ("exit" in loaded) return loaded.exit;
  return runRevokeAll(loaded.config, io);
}
