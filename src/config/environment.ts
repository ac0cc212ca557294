/**
 * Which rule set applies. Resolution is pinned: the `--environment` flag, else
 * `ENVIRONMENT`, else production — an unset environment fails closed.
 * @module
 */

export const ENVIRONMENTS = ["development", "staging", "production"] as const;

/** One of the three deployment environments. */
export type Environment = (typeof ENVIRONMENTS)[number];

/** A value given for the environment that is not one of {@link ENVIRONMENTS}. */
export class UnknownEnvironmentError extends Error {
  readonly isUnknownEnvironmentError = true;
  constructor(readonly source: "flag" | "ENVIRONMENT") {
    super(
      `${source === "flag" ? "--environment" : "ENVIRONMENT"} must be one of ${ENVIRONMENTS.join(", ")}`,
    );
    this.name = "UnknownEnvironmentError";
  }
}

/** True when `e` is an {@link UnknownEnvironmentError}, even across bundle copies. */
export const isUnknownEnvironmentError = (e: unknown): e is UnknownEnvironmentError =>
  e instanceof Error && "isUnknownEnvironmentError" in e;

/** Type guard for a valid environment name. */
export const isEnvironment = (value: string): value is Environment =>
  (ENVIRONMENTS as readonly string[]).includes(value);

/**
 * Resolves the environment from the flag and the process environment.
 * An empty or whitespace `ENVIRONMENT` counts as unset; anything else unknown throws.
 */
export function resolveEnvironment(
  flag: string | undefined,
  env: Record<string, string | undefined>,
): Environment {
  if (flag !== undefined) {
    if (!isEnvironment(flag)) throw new UnknownEnvironmentError("flag");
    return flag;
  }
  const fromEnv = env.ENVIRONMENT?.trim();
  if (!fromEnv) return "production";
  if (!isEnvironment(fromEnv)) throw new UnknownEnvironmentError("ENVIRONMENT");
  return fromEnv;
}
