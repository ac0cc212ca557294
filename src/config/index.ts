/**
 * Typed configuration: the environment schema parsed once, plus the resolved
 * environment and the defaults that depend on it.
 * @module
 */
import type { Environment } from "./environment.ts";
import { envSchema, type ParsedEnv, withoutBlanks } from "./schema.ts";

export { formatDuration, parseDuration } from "./duration.ts";
export {
  ENVIRONMENTS,
  type Environment,
  isEnvironment,
  isUnknownEnvironmentError,
  resolveEnvironment,
  UnknownEnvironmentError,
} from "./environment.ts";
export { envSchema, type ParsedEnv, parseRate, type RateSpec } from "./schema.ts";

/** The server's configuration. */
export type Config = Omit<ParsedEnv, "HOST"> & {
  environment: Environment;
  /** Listen address: `HOST`, else loopback in development and all interfaces elsewhere. */
  HOST: string;
};

/** One problem with one variable. The message never contains the value. */
export interface ConfigIssue {
  variable: string;
  message: string;
}

/** The outcome of {@link loadConfig}: every problem at once, never just the first. */
export type ConfigResult = { ok: true; config: Config } | { ok: false; issues: ConfigIssue[] };

/** Parses `env` for `environment`. Pure: reads nothing but its arguments. */
export function loadConfig(
  env: Record<string, string | undefined>,
  environment: Environment,
): ConfigResult {
  const parsed = envSchema.safeParse(withoutBlanks(env));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? "environment"),
      message: issue.message,
    }));
    issues.sort((a, b) => a.variable.localeCompare(b.variable));
    return { ok: false, issues };
  }
  const data = parsed.data;
  const HOST = data.HOST ?? (environment === "development" ? "127.0.0.1" : "0.0.0.0");
  return { ok: true, config: { ...data, environment, HOST } };
}
