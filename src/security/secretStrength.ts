/**
 * The secret predicates of rules secret.002–005, shared by every variable that
 * holds a secret (signing keys, Redis and database passwords). The first
 * weakness found wins, in the order known → templated → placeholder → weak,
 * so one bad value yields one finding that names its worst problem.
 * @module
 */
import { isSequentialString, shannonEntropy } from "./entropy.ts";
import { isKnownSecret } from "./knownSecrets.ts";

/** Minimum length in characters (≥ 32 random base64 characters carry ≥ 192 bits). */
export const MIN_SECRET_LENGTH = 32;
/** Minimum Shannon entropy per character (gitleaks' generic-api-key threshold). */
export const MIN_ENTROPY_PER_CHAR = 3.5;
/** Minimum estimated total entropy, len × H (ASVS 5.0 11.5.1: ≥ 128 bits). */
export const MIN_TOTAL_ENTROPY_BITS = 128;

/** Why a secret is not acceptable. */
export type SecretWeakness = "known" | "templated" | "placeholder" | "weak";

// trufflehog's DefaultFalsePositives plus the usual "fill me in" words; matched
// anywhere in the case-folded value.
const PLACEHOLDER_SUBSTRINGS = [
  "example",
  "xxxxxx",
  "aaaaaa",
  "abcde",
  "00000",
  "sample",
  "*****",
  "changeme",
  "change-me",
  "change_me",
  "replace-me",
  "replace_me",
  "replaceme",
  "your-",
  "your_",
  "insecure",
  "default",
  "placeholder",
];
// Short words would match inside random text, so they only count as whole
// tokens (the value split on non-alphanumerics).
const PLACEHOLDER_TOKENS = new Set(["change", "dev", "test", "local", "todo", "demo", "fixme"]);

const TEMPLATED = [/\$\{[^}]*\}/, /<[^<>]+>/, /\{[^{}]+\}/, /^\$[A-Za-z_][A-Za-z0-9_]*$/, /^\*+$/];

/** True when the value is an unresolved template or variable reference (`${X}`, `<x>`, `{x}`, `$X`). */
export function isTemplated(value: string): boolean {
  return TEMPLATED.some((pattern) => pattern.test(value.trim()));
}

/** True when the value contains a placeholder word (`example`, `changeme`, `your-…`, token `dev`, …). */
export function isPlaceholder(value: string): boolean {
  const folded = value.toLowerCase();
  if (PLACEHOLDER_SUBSTRINGS.some((term) => folded.includes(term))) return true;
  return folded.split(/[^a-z0-9]+/).some((token) => PLACEHOLDER_TOKENS.has(token));
}

/**
 * True when the value is strong enough to sign tokens: long, high-entropy,
 * at least 128 bits in total, and not a run like `ABCD…`.
 */
export function isStrongSecret(value: string): boolean {
  const length = Array.from(value).length;
  const h = shannonEntropy(value);
  return (
    length >= MIN_SECRET_LENGTH &&
    h >= MIN_ENTROPY_PER_CHAR &&
    length * h >= MIN_TOTAL_ENTROPY_BITS &&
    !isSequentialString(value)
  );
}

/** The worst weakness of `value`, or undefined when it passes every predicate. */
export function assessSecret(value: string): SecretWeakness | undefined {
  if (isKnownSecret(value)) return "known";
  if (isTemplated(value)) return "templated";
  if (isPlaceholder(value)) return "placeholder";
  if (!isStrongSecret(value)) return "weak";
  return undefined;
}

/** The one-line message for a weakness. Never includes the value or which denylist entry matched. */
export function weaknessMessage(weakness: SecretWeakness): string {
  switch (weakness) {
    case "known":
      return "is a publicly known value (leaked secret or published default)";
    case "templated":
      return "is an unresolved template or variable reference";
    case "placeholder":
      return "looks like a placeholder (contains a word such as example or changeme)";
    case "weak":
      return `is too weak: needs ≥ ${MIN_SECRET_LENGTH} chars, ≥ ${MIN_ENTROPY_PER_CHAR} bits/char, ≥ ${MIN_TOTAL_ENTROPY_BITS} bits, no runs`;
  }
}

/** The check ID secret.* assigns to a weakness (also used as the sub-rule for redis/db passwords). */
export const WEAKNESS_ID: Record<SecretWeakness, string> = {
  known: "secret.002",
  placeholder: "secret.003",
  templated: "secret.004",
  weak: "secret.005",
};
