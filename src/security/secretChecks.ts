/**
 * Signing-secret checks (secret.*): SECURITY_SECRET_KEY and every entry of
 * SECURITY_SECRET_KEY_PREVIOUS must be present (the current one), not known,
 * not templated, not a placeholder, and strong; and no secret may be reused
 * between variables.
 * @module
 */
import { parseConnectionUrl } from "./connectionUrl.ts";
import { assessSecret, WEAKNESS_ID, weaknessMessage } from "./secretStrength.ts";
import type { CheckInput, FindingList, Levels } from "./types.ts";

const GEN_HINT = "Generate one with `trading-server gen-secret --bytes 48` and rotate.";

/** One signing secret to check: the current key or one retired key. */
export interface SigningSecret {
  variable: "SECURITY_SECRET_KEY" | "SECURITY_SECRET_KEY_PREVIOUS";
  /** "" for the current key, "entry N " for a retired one (1-based). */
  label: string;
  value: string;
}

/** The current key and every non-blank retired key, in order. */
export function signingSecrets(input: CheckInput): SigningSecret[] {
  const out: SigningSecret[] = [];
  const current = input.get("SECURITY_SECRET_KEY");
  if (current !== undefined)
    out.push({ variable: "SECURITY_SECRET_KEY", label: "", value: current });
  const previous = input.get("SECURITY_SECRET_KEY_PREVIOUS");
  if (previous !== undefined) {
    previous.split(",").forEach((entry, i) => {
      if (entry.trim() === "") return;
      out.push({
        variable: "SECURITY_SECRET_KEY_PREVIOUS",
        label: `entry ${i + 1} `,
        // Trimmed as the key ring trims list entries: what is checked is what verifies.
        value: entry.trim(),
      });
    });
  }
  return out;
}

/**
 * Retired keys beyond which secret.007 warns. Only access tokens are signed, and they live
 * ACCESS_TOKEN_TTL (15 min by default) plus the 30 s leeway, so after a rotation the one retired
 * key is needed for that long; each extra key costs one more HMAC for every token without
 * `kid`, before the rate limit.
 */
const MAX_USUAL_RETIRED_KEYS = 2;

/** Runs secret.001–008. */
export function checkSecrets(input: CheckInput, out: FindingList): void {
  if (input.get("SECURITY_SECRET_KEY") === undefined) {
    out.add({
      id: "secret.001",
      levels: "E/E/W",
      variable: "SECURITY_SECRET_KEY",
      message:
        input.environment === "development"
          ? "is not set: an ephemeral key is used and tokens end with the process"
          : "is required to sign access tokens",
      hint: GEN_HINT,
    });
  }
  for (const secret of signingSecrets(input)) {
    const weakness = assessSecret(secret.value);
    if (weakness === undefined) continue;
    const levels: Levels = weakness === "known" ? "C/E/W" : "E/E/W";
    out.add({
      id: WEAKNESS_ID[weakness],
      levels,
      variable: secret.variable,
      message: `${secret.label}${weaknessMessage(weakness)}`,
      hint: GEN_HINT,
    });
  }
  checkPadding(input, out);
  checkReuse(input, out);
  const retired = signingSecrets(input).filter(
    (s) => s.variable === "SECURITY_SECRET_KEY_PREVIOUS",
  );
  if (retired.length > MAX_USUAL_RETIRED_KEYS) {
    out.add({
      id: "secret.007",
      levels: "W/W/-",
      variable: "SECURITY_SECRET_KEY_PREVIOUS",
      message: `holds ${retired.length} retired keys: a token without kid is checked against each (one HMAC per key, before the rate limit), and a key retired more than ACCESS_TOKEN_TTL plus the 30 s leeway ago verifies no live token`,
      hint: "Keep only the key retired by the last rotation; remove it once ACCESS_TOKEN_TTL and 30 s have passed.",
    });
  }
}

/**
 * secret.008: the active key is used as configured (DESIGN §6), surrounding whitespace included,
 * while the entries of SECURITY_SECRET_KEY_PREVIOUS are trimmed. A padded key (a stray space, or
 * the CR of an env file written on Windows) becomes another key when a rotation moves it there,
 * and every access token it signed is refused once.
 */
function checkPadding(input: CheckInput, out: FindingList): void {
  const current = input.get("SECURITY_SECRET_KEY");
  if (current === undefined || current === current.trim()) return;
  out.add({
    id: "secret.008",
    levels: "W/W/-",
    variable: "SECURITY_SECRET_KEY",
    message:
      "has leading or trailing whitespace, which is part of the key; moved to SECURITY_SECRET_KEY_PREVIOUS in a rotation, it is trimmed and no longer verifies the tokens it signed",
    hint: "Check the env file for a stray space or CR; rotate to a new key (gen-secret output has no whitespace).",
  });
}

interface NamedSecret {
  variable: string;
  /** Values within one group are the same credential (REDIS_PASSWORD and REDIS_URL's password). */
  group: string;
  value: string;
}

function collectSecrets(input: CheckInput): NamedSecret[] {
  const named: NamedSecret[] = signingSecrets(input).map((s) => ({
    variable: s.variable,
    group: s.variable,
    value: s.value,
  }));
  const add = (variable: string, group: string, value: string | undefined) => {
    if (value !== undefined && value.trim() !== "") named.push({ variable, group, value });
  };
  add("REDIS_PASSWORD", "redis", input.get("REDIS_PASSWORD"));
  const redisUrl = input.get("REDIS_URL");
  add("REDIS_URL", "redis", redisUrl ? parseConnectionUrl(redisUrl)?.password : undefined);
  const dbUrl = input.get("DATABASE_URL");
  add("DATABASE_URL", "database", dbUrl ? parseConnectionUrl(dbUrl)?.password : undefined);
  add("ADMIN_PASSWORD", "admin", input.get("ADMIN_PASSWORD"));
  add("ALPACA_API_SECRET_KEY", "alpaca", input.get("ALPACA_API_SECRET_KEY"));
  return named;
}

function checkReuse(input: CheckInput, out: FindingList): void {
  const seen: NamedSecret[] = [];
  const reported = new Set<string>();
  for (const secret of collectSecrets(input)) {
    const twin = seen.find((s) => s.value === secret.value && s.group !== secret.group);
    seen.push(secret);
    const other = twin?.variable;
    if (other === undefined || reported.has(`${secret.variable}|${other}`)) continue;
    reported.add(`${secret.variable}|${other}`);
    out.add({
      id: "secret.006",
      levels: "W/W/-",
      variable: secret.variable,
      message: `has the same value as ${other}`,
      hint: "Give every credential its own random value, so one leak does not open the others.",
    });
  }
}
