/**
 * The response headers DESIGN §6 pins, whether or not the document marks them
 * required: the conformance check asks each to be both declared and present.
 */
import { UNLIMITED_PATHS } from "./pathKinds.ts";

/** Error codes whose 503 DESIGN §6 / README pin a `Retry-After` on. */
const RETRY_503 = new Set(["maintenance", "rate_limiter_unavailable", "service_unavailable"]);

/**
 * Headers DESIGN §6 pins on this answer: X-Request-Id always; Retry-After on 429 and on
 * the 503s that invite a retry; the Bearer challenge on 401; RateLimit-Policy/RateLimit on
 * every answer that went through the limiter (413 is given before it, by the body limit;
 * 503 has no RateLimit: the limiter may not have decided).
 */
export function pinnedHeaders(path: string, status: number, code: string | undefined): string[] {
  const names = ["X-Request-Id"];
  if (status === 429 || (status === 503 && code !== undefined && RETRY_503.has(code))) {
    names.push("Retry-After");
  }
  if (status === 401) names.push("WWW-Authenticate");
  if (!UNLIMITED_PATHS.has(path) && status !== 413) {
    names.push("RateLimit-Policy");
    if (status !== 503) names.push("RateLimit");
  }
  return names;
}
