/**
 * Keeps credentials out of the audit log (ASVS 16.2.5). An audit row cannot be
 * edited afterwards, so a leaked secret would stay forever: values under
 * credential-like keys, and strings that look like a JWT or a password hash,
 * are replaced by `[redacted]` before anything is hashed or stored.
 * @module
 */
import { redactTokens } from "../security/tokenRedaction.ts";

/** The replacement for a redacted value. */
export const REDACTED = "[redacted]";

const SENSITIVE_KEY = /pass(word)?|secret|token|hash|authorization|cookie|api[_-]?key|credential/i;

// A compact JWS, a PHC password hash ($argon2id$…), or a bcrypt hash ($2b$…).
const SECRET_VALUE = /^eyJ[\w-]*\.[\w-]*\.[\w-]*$|\$argon2(id|i|d)\$|\$2[abxy]\$\d\d\$/;

const MAX_DEPTH = 6;
const MAX_STRING = 1024;

/**
 * Redacts a string that is or holds a token or hash (a JWT inside a longer
 * string, such as a User-Agent, is cut out of it); truncates long strings.
 */
export function redactString(value: string): string {
  if (SECRET_VALUE.test(value)) return REDACTED;
  const safe = redactTokens(value);
  return safe.length > MAX_STRING ? `${safe.slice(0, MAX_STRING)}…` : safe;
}

function scrub(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "[truncated]";
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SENSITIVE_KEY.test(key) ? REDACTED : scrub(v, depth + 1);
  }
  return out;
}

/**
 * Returns a JSON-safe, redacted copy of `details`: what is stored is exactly
 * what is hashed (a JSON round trip drops undefined, turns NaN into null).
 */
export function sanitizeDetails(
  details: Record<string, unknown> | undefined,
): Record<string, unknown> {
  if (details === undefined) return {};
  const roundTripped = JSON.parse(JSON.stringify(details) ?? "{}") as unknown;
  if (roundTripped === null || typeof roundTripped !== "object" || Array.isArray(roundTripped)) {
    return {};
  }
  return scrub(roundTripped, 0) as Record<string, unknown>;
}
