/**
 * Shared start of the database commands (`migrate`, `audit verify`, `backup`,
 * `revoke-all`):
 * parse `[--environment ENV]`, load the configuration, report problems with the
 * pinned exit codes. No security gate: these commands serve no traffic, and an
 * operator must be able to migrate before the rest of the config is final.
 * @module
 */
import {
  type Config,
  type Environment,
  envSchema,
  isUnknownEnvironmentError,
  loadConfig,
  resolveEnvironment,
} from "../config/index.ts";
import { withoutBlanks } from "../config/schema.ts";
import {
  type Database,
  isDatabaseUnavailable,
  isStorageError,
  missingSqliteFile,
  openDatabase,
  targetInWords,
} from "../storage/index.ts";
import { type CommandIo, EXIT } from "./io.ts";
import { splitFlag } from "./splitFlag.ts";

/** The loaded config, or the exit code to return. */
export type CommandConfig = { config: Config } | { exit: number };

/** The parsed `--environment` and extra flags, or the exit code to return. */
type ParsedArgs = { environment: Environment; flags: Set<string> } | { exit: number };

/** Parses `args` (only `--environment ENV` / `--environment=ENV` besides the `extra` flags). */
function parseArgs(
  name: string,
  args: string[],
  env: Record<string, string | undefined>,
  io: CommandIo,
  extra: readonly string[],
): ParsedArgs {
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
  try {
    return { environment: resolveEnvironment(flag, env), flags };
  } catch (error) {
    if (!isUnknownEnvironmentError(error)) throw error;
    io.stderr(`${name}: ${error.message}\n`);
    return { exit: EXIT.usage };
  }
}

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
  const parsed = parseArgs(name, args, env, io, extra);
  if ("exit" in parsed) return parsed;
  const loaded = loadConfig(env, parsed.environment);
  if (!loaded.ok) {
    for (const issue of loaded.issues) io.stderr(`${name}: ${issue.variable}: ${issue.message}\n`);
    return { exit: EXIT.failure };
  }
  return { config: loaded.config, flags: parsed.flags };
}

/**
 * Parses `args` like {@link loadCommandConfig} but reads `DATABASE_URL` alone,
 * for a command that needs nothing else (`revoke-all`): a typo in an
 * unrelated variable of the env file must not block the emergency stop.
 */
export function loadDatabaseUrl(
  name: string,
  args: string[],
  env: Record<string, string | undefined>,
  io: CommandIo,
): { config: Pick<Config, "DATABASE_URL"> } | { exit: number } {
  const parsed = parseArgs(name, args, env, io, []);
  if ("exit" in parsed) return parsed;
  const url = envSchema.pick({ DATABASE_URL: true }).safeParse(withoutBlanks(env));
  if (!url.success) {
    io.stderr(`${name}: DATABASE_URL: ${url.error.issues[0]?.message ?? "invalid"}\n`);
    return { exit: EXIT.failure };
  }
  return { config: url.data };
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** True when `form` occurs in `message` glued to letters or digits around it (inside a word). */
function insideAWord(message: string, form: string): boolean {
  for (let at = message.indexOf(form); at >= 0; at = message.indexOf(form, at + 1)) {
    const before = message[at - 1] ?? "";
    const after = message[at + form.length] ?? "";
    const glued = (edge: string, next: string) => WORD_CHAR.test(edge) && WORD_CHAR.test(next);
    if (glued(before, form[0] ?? "") || glued(form.at(-1) ?? "", after)) return true;
  }
  return false;
}

/**
 * A failure message safe to print: the error's message without the database
 * URL's password, since driver errors may quote connection details. Userinfo
 * in any URL the message quotes is masked (up to the last `@` before the
 * host). The password is masked where it stands as a word of its own
 * (quoted, after `user:`); where it occurs inside a word ("p" in
 * "parameter", "secure" in "insecure"), masking would spell it out around
 * the stars, so the whole message is withheld instead.
 */
export function safeErrorMessage(error: unknown, databaseUrl: string): string {
  let message = error instanceof Error ? error.message : "unexpected failure";
  message = message.replace(/(\/\/[^\s/:@]*:)[^\s/]*@/g, "$1***@");
  let password = "";
  try {
    password = new URL(databaseUrl).password;
  } catch {
    // Not a URL with credentials (e.g. sqlite://./x.db): nothing to remove.
  }
  if (!password) return message;
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // A malformed escape: only the raw form can appear.
  }
  for (const form of new Set([decoded, password])) {
    if (!message.includes(form)) continue;
    if (insideAWord(message, form)) {
      return "the database driver's message is withheld: it may quote the password";
    }
    message = message.split(form).join("***");
  }
  return message;
}

/**
 * Where the database that `error` came from is, in words (never credentials), when the error
 * does not say: a driver's own ("Failed to connect", "unable to open database file") or an
 * outage. Our other storage errors name their cause already.
 */
export function unreachedDatabase(error: unknown, databaseUrl: string): string | undefined {
  const unreached = !isStorageError(error) || isDatabaseUnavailable(error);
  return unreached ? targetInWords(databaseUrl) : undefined;
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
  options: { existing?: boolean; readOnly?: boolean; queryTimeoutMs?: number } = {},
): Promise<number> {
  let db: Database | undefined;
  try {
    // A command that only reads (audit verify) must not create an empty database
    // (and its directory) at a mistyped path, then report a missing table.
    const missing = options.existing ? missingSqliteFile(config.DATABASE_URL) : undefined;
    if (missing !== undefined) {
      io.stderr(`${name}: no SQLite database at ${missing}\n`);
      return EXIT.failure;
    }
    db = await openDatabase(config.DATABASE_URL, {
      queryTimeoutMs: options.queryTimeoutMs,
      readOnly: options.readOnly,
    });
    return await work(db);
  } catch (error) {
    const where = unreachedDatabase(error, config.DATABASE_URL);
    const message = safeErrorMessage(error, config.DATABASE_URL);
    io.stderr(`${name}: ${message}${where ? ` (${where})` : ""}\n`);
    return EXIT.failure;
  } finally {
    await db?.close().catch(() => undefined);
  }
}
