/**
 * Token checks (jwt.*): HS256 key size per RFC 7518 §3.2, and lifetimes that
 * keep access tokens short-lived. The algorithm itself is pinned to HS256 in
 * code, so there is no algorithm variable to check (reference jwt.002).
 * @module
 */
import { parseDuration } from "../config/index.ts";
import { signingSecrets } from "./secretChecks.ts";
import type { CheckInput, FindingList } from "./types.ts";

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output. */
export const HS256_MIN_KEY_BYTES = 32;

const HOUR = 3_600_000;
const DEFAULTS = {
  ACCESS_TOKEN_TTL: "15m",
  REFRESH_REUSE_GRACE: "10s",
  SESSION_IDLE_TTL: "12h",
  SESSION_ABSOLUTE_TTL: "24h",
} as const;

/** Runs jwt.001 and jwt.003. */
export function checkJwt(input: CheckInput, out: FindingList): void {
  for (const secret of signingSecrets(input)) {
    if (Buffer.byteLength(secret.value, "utf8") >= HS256_MIN_KEY_BYTES) continue;
    out.add({
      id: "jwt.001",
      levels: "E/E/W",
      variable: secret.variable,
      message: `${secret.label}is shorter than ${HS256_MIN_KEY_BYTES} bytes, the HS256 minimum (RFC 7518)`,
      hint: "Generate one with `trading-server gen-secret --bytes 48`.",
    });
  }
  checkLifetimes(input, out);
}

function lifetime(input: CheckInput, name: keyof typeof DEFAULTS): number | undefined {
  return parseDuration(input.get(name) ?? DEFAULTS[name]);
}

function checkLifetimes(input: CheckInput, out: FindingList): void {
  const access = lifetime(input, "ACCESS_TOKEN_TTL");
  const grace = lifetime(input, "REFRESH_REUSE_GRACE");
  const idle = lifetime(input, "SESSION_IDLE_TTL");
  const absolute = lifetime(input, "SESSION_ABSOLUTE_TTL");
  const warn = (variable: string, message: string, hint: string) =>
    out.add({ id: "jwt.003", levels: "W/W/-", variable, message, hint });

  if (access !== undefined && access > HOUR) {
    warn(
      "ACCESS_TOKEN_TTL",
      "is longer than 1h; access tokens are meant to be short-lived",
      "Use 5m–15m and let the refresh token keep the session alive.",
    );
  }
  if (access !== undefined && idle !== undefined && access > idle) {
    warn(
      "ACCESS_TOKEN_TTL",
      "is longer than SESSION_IDLE_TTL, so a token outlives an idle session",
      "Keep ACCESS_TOKEN_TTL below SESSION_IDLE_TTL.",
    );
  }
  if (idle !== undefined && absolute !== undefined && idle > absolute) {
    warn(
      "SESSION_IDLE_TTL",
      "is longer than SESSION_ABSOLUTE_TTL and has no effect",
      "Keep SESSION_IDLE_TTL at or below SESSION_ABSOLUTE_TTL.",
    );
  }
  if (absolute !== undefined && absolute > 30 * 24 * HOUR) {
    warn(
      "SESSION_ABSOLUTE_TTL",
      "is longer than 30 days",
      "Make users sign in again at least monthly.",
    );
  }
  if (grace !== undefined && grace > 60_000) {
    warn(
      "REFRESH_REUSE_GRACE",
      "is longer than 60s, which weakens refresh-token reuse detection",
      "Keep it to a few seconds (default 10s): long enough for concurrent refreshes only.",
    );
  }
}
