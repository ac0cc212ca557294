/**
 * What any record (audit rows, sessions, spans) keeps of a User-Agent: a
 * client can put anything there, a pasted token included.
 * @module
 */
import { redactTokens } from "./tokenRedaction.ts";

/** The most of a User-Agent any record keeps. */
const MAX_USER_AGENT = 256;

/**
 * A User-Agent as recorded: tokens cut out first, then at most 256
 * characters, so a cut cannot leave a token's unsigned start behind. No
 * header is recorded as null.
 */
export function recordedUserAgent(userAgent: string): string;
export function recordedUserAgent(userAgent: string | undefined): string | null;
export function recordedUserAgent(userAgent: string | undefined): string | null {
  return userAgent === undefined ? null : redactTokens(userAgent).slice(0, MAX_USER_AGENT);
}
