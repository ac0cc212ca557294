/**
 * `audit verify`: checks the audit log's hash chain and prints the same JSON
 * document as `GET /v1/admin/audit/verify`. Exit 0 when intact, 1 when
 * tampered or when the database cannot be read, 2 on usage errors.
 * @module
 */
import { createAuditLog } from "../audit/index.ts";
import type { Config } from "../config/index.ts";
import { loadCommandConfig, withDatabase } from "./databaseCommand.ts";
import { type CommandIo, EXIT } from "./io.ts";

const USAGE = "usage: trading-server audit verify [--environment ENV]\n";

/**
 * The longest one page of the chain may take to read (PostgreSQL). A page is a
 * few milliseconds; a server that stalls mid-run (stopped, a lock held on the
 * table) makes the command fail instead of hanging a cron job or a runbook.
 */
export const VERIFY_QUERY_TIMEOUT_MS = 30_000;

/** Verifies the chain in `config.DATABASE_URL`; resolves to the exit code. */
export async function runAuditVerify(
  config: Pick<Config, "DATABASE_URL">,
  io: CommandIo,
  queryTimeoutMs = VERIFY_QUERY_TIMEOUT_MS,
): Promise<number> {
  return withDatabase(
    "audit verify",
    config,
    io,
    async (db) => {
      const result = await createAuditLog(db).verify();
      io.stdout(`${JSON.stringify(result)}\n`);
      return result.ok ? EXIT.ok : EXIT.failure;
    },
    { existing: true, readOnly: true, queryTimeoutMs },
  );
}

/** `trading-server audit verify [--environment ENV]`. */
export async function runAuditCommand(
  args: string[],
  env: Record<string, string | undefined>,
  io: CommandIo,
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "verify") {
    io.stderr(
      sub === undefined ? USAGE : `audit: unknown subcommand ${JSON.stringify(sub)}\n${USAGE}`,
    );
    return EXIT.usage;
  }
  const loaded = loadCommandConfig("audit verify", rest, env, io);
  if ("exit" in loaded) return loaded.exit;
  return runAuditVerify(loaded.config, io);
}
