/**
 * What any record (the access log, spans) keeps of a request path: a client
 * can put anything there, up to the ~16 KB request line, a pasted token
 * included.
 * @module
 */
import { redactTokens } from "./tokenRedaction.ts";

/** The most of a path any record keeps: a 15 KB path must not make 15 KB of every line or span. */
export const MAX_RECORDED_PATH = 512;

/** A path as recorded: tokens cut out first (a cut cannot leave a token's start), then 512 characters and "…". */
export function recordedPath(path: string): string {
  const safe = redactTokens(path);
  return safe.length > MAX_RECORDED_PATH ? `${safe.slice(0, MAX_RECORDED_PATH)}…` : safe;
}
