/**
 * Shared start of the database commands (`migrate`, `audit verify`, `backup`):
 * parse `[--environment ENV]`, load the configuration, report problems with the
 * pinned exit codes. No security gate: these commands serve no traffic, and an
 * operator must be able to migrate before the rest of the config is final.
 * @module
 */
import { existsSync } from "node:fs";
import {
  type Config,
  isUnknownEnvironmentError,
  loadConfig,
  resolveEnvironment,
} from "../config/index.ts";
import { type Database, openDatabase, parseDatabaseUrl } from "../storage/index.ts";
import { type CommandIo, EXIT } from "./io.ts";
import { splitFlag } from "./splitFlag.ts";

/** The loaded config, or the exit code to return. */
export type CommandConfig = { config: Config } | { exit: number };

/**
 * Parses `args` (only `--environment ENV` / `--environment=ENV` besides the
 * `extra` flags the caller accepts, returned in `flags`) and loads the config.
 */
export function loadCommandConfig(
  name: string,
  args: string[],
  env: Record<string, string | undefined>,
  io: CommandIo,
  extra: readonly string[] = [],
): CommandConfig & { flags?: Set<string> } {
  let flag: string | undefined;
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [key, inline] = splitFlag(arg);
    if (key === "--environment") {
      flag = inline ?? args[++i];
      if (flag === undefined) {
        io.stderr(`${name}: --environment needs a value\n`);
        return { exit: EXIT.usage };
      }
    } else if (extra.includes(arg)) {
      flags.add(arg);
    } else {
      io.stderr(`${name}: unknown option ${JSON.stringify(arg)}\n`);
      return { exit: EXIT.usage };
    }
  }
  let environment: ReturnType<typeof resolveEnvironment>;
  try {
    environment = resolveEnvironment(flag, env);
  } catch (error) {
    if (!isUnknownEnvironmentError(error)) throw error;
    io.stderr(`${name}: ${error.message}\n`);
    return { exit: EXIT.usage };
  }
  const loaded = loadConfig(env, environment);
  if (!loaded.ok) {
    for (const issue of loaded.issues) io.stderr(`${name}: ${issue.variable}: ${issue.message}\n`);
    return { exit: EXIT.failure };
  }
  return { config: loaded.config, flags };
}

/**
 * A failure message safe to print: the error's message with the database URL's
 * password (if any) removed, since driver errors may quote connection details.
 */
export function safeErrorMessage(error: unknown, databaseUrl: string): string {
  let message = error instanceof Error ? error.message : "unexpected failure";
  try {
    const password = new URL(databaseUrl).password;
    if (password)
      message = message.split(decodeURIComponent(password)).join("***").split(password).join("***");
  } catch {
    // Not a URL with credentials (e.g. sqlite://./x.db): nothing to remove.
  }
  return message;
}

/**
 * Opens `config.DATABASE_URL`, runs `work`, and always closes. A failure is
 * printed as `name: message` (password removed) and becomes exit 1.
 */
export async function withDatabase(
  name: string,
  config: Pick<Config, "DATABASE_URL">,
  io: CommandIo,
  work: (db: Database) => Promise<number>,
  options: { existing?: boolean; queryTimeoutMs?: number } = {},
): Promise<number> {
  let db: Database | undefined;
  try {
    // A command that only reads (audit verify) must not create an empty database
    // (and its directory) at a mistyped path, then report a missing table.
    const target = options.existing ? parseDatabaseUrl(config.DATABASE_URL) : undefined;
    if (target?.dialect === "sqlite" && target.filename !== ":memory:") {
      if (!existsSync(target.filename)) {
        io.stderr(`${name}: no SQLite database at ${target.filename}\n`);
        return EXIT.failure;
      }
    }
    db = await openDatabase(config.DATABASE_URL, { queryTimeoutMs: options.queryTimeoutMs });
    return await work(db);
  } catch (error) {
    io.stderr(`${name}: ${safeErrorMessage(error, config.DATABASE_URL)}\n`);
    return EXIT.failure;
  } finally {
    await db?.close().catch(() => undefined);
  }
}
