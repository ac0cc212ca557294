/**
 * `backup [--output-dir DIR]`: copies the SQLite database to a timestamped
 * file (default `backups/` next to it) and prints its path. Exit 0 on
 * success, 1 on failure (including a PostgreSQL `DATABASE_URL`), 2 on usage.
 * @module
 */
import type { Config } from "../config/index.ts";
import { backupDatabase } from "../storage/backup.ts";
import { loadCommandConfig, safeErrorMessage } from "./databaseCommand.ts";
import { type CommandIo, EXIT } from "./io.ts";
import { splitFlag } from "./splitFlag.ts";

/** Backs up `config.DATABASE_URL` into `dir`; resolves to the exit code. */
export async function runBackup(
  config: Pick<Config, "DATABASE_URL">,
  io: CommandIo,
  dir?: string,
): Promise<number> {
  try {
    const result = await backupDatabase(config.DATABASE_URL, dir === undefined ? {} : { dir });
    io.stdout(`${JSON.stringify({ path: result.path, bytes: result.bytes })}\n`);
    return EXIT.ok;
  } catch (error) {
    io.stderr(`backup: ${safeErrorMessage(error, config.DATABASE_URL)}\n`);
    return EXIT.failure;
  }
}

/** `trading-server backup [--environment ENV] [--output-dir DIR]`. */
export async function runBackupCommand(
  args: string[],
  env: Record<string, string | undefined>,
  io: CommandIo,
): Promise<number> {
  const rest: string[] = [];
  let dir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] = splitFlag(arg);
    if (flag === "--output-dir") {
      dir = inline ?? args[++i];
      if (!dir) {
        io.stderr("backup: --output-dir needs a value\n");
        return EXIT.usage;
      }
    } else {
      rest.push(arg);
    }
  }
  const loaded = loadCommandConfig("backup", rest, env, io);
  if ("exit" in loaded) return loaded.exit;
  return runBackup(loaded.config, io, dir);
}
