/**
 * CLI entry: parses argv and dispatches to one command. Commands are imported
 * lazily so `--version` or `gen-secret` do not load the server.
 * @module
 */
import { isArgon2UnavailableError } from "./auth/argon2Addon.ts";
import { type CommandIo, EXIT, processIo } from "./cli/io.ts";
import { USAGE } from "./cli/usage.ts";
import { stdioFailed } from "./telemetry/stdio.ts";
import { VERSION } from "./version.ts";

/** Flags that are commands of their own, never options of another. */
const LEADING = new Set(["--check", "--version", "--help"]);

/** A usage error for `--version` with arguments: `--version --bogus` is a typo, not a version. */
function takesNothing(command: string, rest: string[], io: CommandIo): number {
  io.stderr(
    `trading-server: ${command} takes no arguments (got ${JSON.stringify(rest[0])})\n\n${USAGE}`,
  );
  return EXIT.usage;
}

/** Runs the command line `args`; resolves to the exit code (serve resolves when it stops). */
export async function main(
  args: string[],
  env: Record<string, string | undefined>,
  io: CommandIo,
): Promise<number> {
  // `trading-server --environment production --check`: the check's options may come before it.
  const checkAt = args.indexOf("--check");
  if (checkAt > 0 && args[0]?.startsWith("--") && !LEADING.has(args[0])) {
    return main(["--check", ...args.slice(0, checkAt), ...args.slice(checkAt + 1)], env, io);
  }
  const [command, ...rest] = args;
  // `migrate --help` and the like: help, not an "unknown option" usage error. Never a value:
  // no command takes "--help" or "-h" as an option's value.
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  switch (command) {
    case undefined:
    case "serve":
      return (await import("./cli/serve.ts")).runServe(rest, env, io);
    case "--check":
    case "check":
      return (await import("./cli/check.ts")).runCheck(rest, env, io);
    case "hash-password":
      return (await import("./cli/hashPassword.ts")).runHashPassword(rest, io);
    case "gen-secret":
      return (await import("./cli/genSecret.ts")).runGenSecret(rest, io);
    case "migrate":
      return (await import("./cli/migrate.ts")).runMigrateCommand(rest, env, io);
    case "audit":
      return (await import("./cli/audit.ts")).runAuditCommand(rest, env, io);
    case "backup":
      return (await import("./cli/backup.ts")).runBackupCommand(rest, env, io);
    case "revoke-all":
      return (await import("./cli/revokeAll.ts")).runRevokeAllCommand(rest, env, io);
    case "--version":
    case "-v":
      if (rest.length > 0) return takesNothing(command, rest, io);
      io.stdout(`trading-server ${VERSION}\n`);
      return EXIT.ok;
    case "--help":
    case "-h":
    case "help":
      // `help migrate` and the like: the one usage covers every command.
      io.stdout(USAGE);
      return EXIT.ok;
  }
  // `trading-server --environment staging` (flags only) means serve.
  if (command?.startsWith("--environment")) {
    return (await import("./cli/serve.ts")).runServe(args, env, io);
  }
  const what = command?.startsWith("-") ? "option" : "command";
  io.stderr(`trading-server: unknown ${what} ${JSON.stringify(command)}\n\n${USAGE}`);
  return EXIT.usage;
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2), process.env, processIo).catch((err: unknown) => {
    // One line naming the cause, not the addon loader's source dump (argon2Addon.ts).
    if (!isArgon2UnavailableError(err)) throw err;
    processIo.stderr(`trading-server: ${err.message}\n`);
    return EXIT.failure;
  });
  // `gen-secret > key` on a full disk must not leave an empty file and report success.
  if (code === EXIT.ok && stdioFailed(1)) {
    processIo.stderr("trading-server: the output could not be written (stdout failed)\n");
    process.exit(EXIT.failure);
  }
  process.exit(code);
}
