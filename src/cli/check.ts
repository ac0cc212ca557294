/**
 * `check` / `--check`: validate the configuration offline and print a report
 * (text or one JSON document) on stdout. Also the serve gate, which runs the
 * same validator at fail level error and prints to stderr.
 * @module
 */
import {
  type Environment,
  isUnknownEnvironmentError,
  resolveEnvironment,
} from "../config/index.ts";
import {
  buildReport,
  exitCode,
  isCheckId,
  isSeverity,
  parseSilenceList,
  renderJson,
  renderText,
  type Severity,
  validate,
} from "../security/index.ts";
import { EXIT } from "./io.ts";
import { splitFlag } from "./splitFlag.ts";
import { USAGE } from "./usage.ts";

/** Where `check` writes. */
export interface CheckIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

interface CheckOptions {
  environment?: string;
  format: "text" | "json";
  failLevel: Severity;
  silence: string[];
  help: boolean;
}

class UsageError extends Error {
  readonly isUsageError = true;
}

const FLAGS = new Set(["--environment", "--format", "--fail-level", "--silence"]);

/** Parses check's flags (`--flag value` and `--flag=value`); throws UsageError. */
function parseArgs(args: string[]): CheckOptions {
  const options: CheckOptions = { format: "text", failLevel: "error", silence: [], help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--help" || arg === "-h") {
      options.help = true;
      continue;
    }
    const [flag, inline] = splitFlag(arg);
    if (!FLAGS.has(flag)) throw new UsageError(`unknown option ${JSON.stringify(flag)}`);
    const value = inline ?? args[++i];
    if (value === undefined || value.trim() === "") throw new UsageError(`${flag} needs a value`);
    switch (flag) {
      case "--environment":
        options.environment = value;
        break;
      case "--format":
        if (value !== "text" && value !== "json")
          throw new UsageError("--format must be text or json");
        options.format = value;
        break;
      case "--fail-level":
        if (!isSeverity(value)) {
          throw new UsageError("--fail-level must be critical, error, warning or info");
        }
        options.failLevel = value;
        break;
      case "--silence":
        for (const id of parseSilenceList(value)) {
          if (!isCheckId(id))
            throw new UsageError(`--silence: unknown check id ${JSON.stringify(id)}`);
          options.silence.push(id);
        }
        break;
    }
  }
  return options;
}

/** IDs silenced through the environment (unknown ones are reported as env.006, not a usage error). */
function silencedByEnv(env: Record<string, string | undefined>): string[] {
  return parseSilenceList(env.SECURITY_CHECK_SILENCE ?? "");
}

/**
 * Runs `check`. Resolves to the exit code: 0 nothing at or above the fail
 * level, 1 violations, 2 usage error (message and usage on stderr).
 */
export async function runCheck(
  args: string[],
  env: Record<string, string | undefined>,
  io: CheckIo,
): Promise<number> {
  let options: CheckOptions;
  let environment: Environment;
  try {
    options = parseArgs(args);
    environment = resolveEnvironment(options.environment, env);
  } catch (err) {
    if (!(err instanceof UsageError) && !isUnknownEnvironmentError(err)) throw err;
    io.stderr(`check: ${err.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (options.help) {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  const findings = await validate(env, environment);
  const report = buildReport(findings, {
    environment,
    failLevel: options.failLevel,
    silence: [...options.silence, ...silencedByEnv(env)],
  });
  io.stdout(options.format === "json" ? renderJson(report) : renderText(report));
  return exitCode(report);
}

/**
 * The serve gate: the same findings at fail level error. `text` is the report
 * for stderr, or "" when there is nothing to show; `ok` false means refuse to
 * start (exit 1 before binding the port).
 */
export async function runGate(
  env: Record<string, string | undefined>,
  environment: Environment,
): Promise<{ ok: boolean; text: string }> {
  const findings = await validate(env, environment);
  const report = buildReport(findings, {
    environment,
    failLevel: "error",
    silence: silencedByEnv(env),
  });
  const quiet = report.findings.length === 0 && report.notes === undefined;
  return { ok: report.ok, text: quiet ? "" : renderText(report) };
}
