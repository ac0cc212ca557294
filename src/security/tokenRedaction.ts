/**
 * Paths are logged and traced, and user agents are kept in the audit log, but
 * a client can put anything in them (user agents: recordedUserAgent.ts): a token pasted into a URL
 * (`/v1/market/quotes/eyJhbGciOi…`) or a User-Agent would otherwise land in
 * every log line and span of that request, or in an audit row for good. JWT-shaped runs (a base64url JSON
 * header, as every JWS starts with `eyJ`, then two more dot-separated
 * segments) are replaced before a path is recorded. Percent-encoded dots
 * count as dots: the path is recorded as received, still encoded. So are
 * runs of 40 or more base64url characters with both upper- and lower-case
 * letters: a refresh token is opaque (43 characters, no `eyJ`), and one
 * pasted into a path or a User-Agent was a working credential in the log and
 * in an audit row (a fuzzing probe).
 * @module
 */

/** Maximal runs of base64url characters and dots, literal or percent-encoded; linear to match. */
const RUN = /(?:[A-Za-z0-9_-]|\.|%2[eE])+/g;
const DOT = /\.|%2[eE]/g;

/** What a JWT-shaped run is recorded as. */
export const REDACTED_TOKEN = "[redacted-token]";

/**
 * A run from its first `eyJ` on, when at least two dots follow it there. A
 * regular expression for the token itself would backtrack quadratically on a
 * path of `eyJeyJeyJ…`; this looks at each character a bounded number of times.
 */
function redactRun(run: string): string {
  const start = run.indexOf("eyJ");
  if (start === -1) return run;
  const dots = run.slice(start).match(DOT)?.length ?? 0;
  return dots >= 2 ? `${run.slice(0, start)}${REDACTED_TOKEN}` : run;
}

/**
 * Runs of base64url characters as long as a refresh token (43) or a provider secret (40). Any
 * such run matches in time linear in its length: `{40,}` takes the whole run at once.
 */
const OPAQUE = /[A-Za-z0-9_-]{40,}/g;

/**
 * Whether a long run has both upper- and lower-case letters, as random base64url text does: a
 * 43-character refresh token lacks one of them with odds below 10^-9. Identifiers of one case
 * stay: hex digests, UUIDs with a prefix, W3C `traceparent` ids, long lower-case names.
 */
function looksRandom(run: string): boolean {
  return /[A-Z]/.test(run) && /[a-z]/.test(run);
}

/**
 * `text` with every JWT-shaped run, and every long mixed-case run of base64url characters
 * (an opaque refresh token, a provider secret), replaced by {@link REDACTED_TOKEN}.
 */
export function redactTokens(text: string): string {
  // Nearly every path has no `eyJ`: skip the scan for them.
  const withoutJwts = text.includes("eyJ") ? text.replace(RUN, redactRun) : text;
  return withoutJwts.replace(OPAQUE, (run) => (looksRandom(run) ? REDACTED_TOKEN : run));
}
