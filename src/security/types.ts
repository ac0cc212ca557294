/**
 * The vocabulary of the validator: severities, findings, and the per-environment
 * severity columns of the rule table (`docs/validator.md`).
 * @module
 */
import type { Environment } from "../config/index.ts";

/** Severities, most severe first. */
export const SEVERITIES = ["critical", "error", "warning", "info"] as const;

/** How bad a finding is. */
export type Severity = (typeof SEVERITIES)[number];

/** Numeric rank (Django's levels) so "at or above the fail level" is one comparison. */
export const SEVERITY_RANK: Record<Severity, number> = {
  critical: 50,
  error: 40,
  warning: 30,
  info: 20,
};

/** True when `s` is a severity name. */
export const isSeverity = (s: string): s is Severity =>
  (SEVERITIES as readonly string[]).includes(s);

/**
 * One problem. `message` and `hint` are single lines that never contain a
 * configured value; `variable` is null when no single variable is to blame.
 */
export interface Finding {
  id: string;
  severity: Severity;
  variable: string | null;
  message: string;
  hint: string | null;
}

/**
 * Severity per environment written like the rule table: `"C/E/W"` is critical in
 * production, error in staging, warning in development; `-` means not reported.
 */
export type Levels = `${LevelChar}/${LevelChar}/${LevelChar}`;
type LevelChar = "C" | "E" | "W" | "I" | "-";

const LEVEL_CHAR: Record<LevelChar, Severity | null> = {
  C: "critical",
  E: "error",
  W: "warning",
  I: "info",
  "-": null,
};

const COLUMN: Record<Environment, number> = { production: 0, staging: 2, development: 4 };

/** The severity `levels` gives in `environment`, or null when the rule is off there. */
export function severityIn(levels: Levels, environment: Environment): Severity | null {
  return LEVEL_CHAR[levels[COLUMN[environment]] as LevelChar];
}

/** What a check reports, before the environment picks the severity. */
export interface Observation {
  id: string;
  levels: Levels;
  variable: string | null;
  message: string;
  hint: string | null;
}

/** Environment values as the checks see them: blank and whitespace-only count as unset. */
export interface CheckInput {
  environment: Environment;
  /** The value of `name`, or undefined when unset, empty or whitespace. */
  get(name: string): string | undefined;
  /** Every variable name that has a non-blank value. */
  names(): string[];
}

/** Collects findings for one environment, dropping rules that are off there. */
export class FindingList {
  readonly findings: Finding[] = [];
  constructor(readonly environment: Environment) {}

  /** Records `o` at the severity its levels give in this environment. */
  add(o: Observation): void {
    const severity = severityIn(o.levels, this.environment);
    if (severity === null) return;
    if (severity === undefined) throw new TypeError(`check ${o.id}: malformed severity levels`);
    this.findings.push({
      id: o.id,
      severity,
      variable: o.variable,
      message: oneLine(o.message, MAX_TEXT),
      hint: o.hint === null ? null : oneLine(o.hint, MAX_TEXT),
    });
  }
}

/** Builds a {@link CheckInput} over a raw environment map. */
export function checkInput(
  env: Record<string, string | undefined>,
  environment: Environment,
): CheckInput {
  const get = (name: string) => {
    const value = env[name];
    return value === undefined || value.trim() === "" ? undefined : value;
  };
  return {
    environment,
    get,
    names: () => Object.keys(env).filter((name) => get(name) !== undefined),
  };
}

/**
 * The longest message or hint, in characters: above every one the checks write (the longest
 * is ~230), so only text quoted from a value is ever cut. At 99, secret.007, admin.008 and
 * db.006 lost their endings mid-word (operator probe).
 */
const MAX_TEXT = 300;

/** Collapses whitespace and bounds the length at a word's end, so every message stays one line. */
function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}
