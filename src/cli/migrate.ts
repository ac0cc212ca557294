/**
 * `migrate`: applies pending database migrations and exits. Prints each
 * migration it applied and the resulting schema version; exit 0 on success,
 * 1 on failure (including a database newer than this build).
 * @module
 */
import type { Config } from "../config/index.ts";
import { migrate } from "../storage/index.ts";
import { loadCommandConfig, withDatabase } from "./databaseCommand.ts";
import { type CommandIo, EXIT } from "./io.ts";

/** Applies pending migrations to `config.DATABASE_URL`; resolves to the exit code. */
export async function runMigrate(
  config: Pick<Config, "DATABASE_URL">,
  io: CommandIo,
): Promise<number> {
  return withDatabase("migrate", config, io, async (db) => {
    const report = await migrate(db);
    for (const m of report.applied) {
      io.stdout(`applied migration ${String(m.id).padStart(3, "0")} ${m.name}\n`);
    }
    io.stdout(
      report.applied.length === 0
        ? `database schema is up to date (version ${report.version})\n`
        : `database schema is at version ${report.version}\n`,
    );
    return EXIT.ok;
  });
}

/** `trading-server migrate [--environment ENV]`. */
export async function runMigrateCommand(
  args: string[],
  env: Record<string, string | undefined>,
  io: CommandIo,
): Promise<number> {
  const loaded = loadCommandConfig("migrate", args, env, io);
  if ("exit" in loaded) return loaded.exit;
  return runMigrate(loaded.config, io);
}
