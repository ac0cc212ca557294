/**
 * Query parts a route's strict schema never sees, so a request that asked
 * nothing well-formed is not answered as if it had asked nothing:
 * - escapes that decode to nothing (`%zz`, a cut UTF-8 sequence such as
 *   `%E2%82`): Hono keeps such a value as sent, so a filter would quietly
 *   match that literal text and answer "nothing found";
 * - a value without a name (`?=AAPL`): Hono drops it, and the strict schema,
 *   which refuses every unknown name, is never asked.
 * The validation hook refuses both.
 * @module
 */

/** The `&`-separated parts of `url`'s query (none without a `?`), fragment cut off. */
function queryParts(url: string): string[] {
  const start = url.indexOf("?");
  if (start === -1) return [];
  const end = url.indexOf("#", start);
  return url.slice(start + 1, end === -1 ? undefined : end).split("&");
}

/** The 1-based position of the first `&`-separated query part that does not decode, or 0. */
export function undecodableQueryPart(url: string): number {
  const start = url.indexOf("?");
  if (start === -1 || url.indexOf("%", start) === -1) return 0;
  for (const [index, part] of queryParts(url).entries()) {
    if (!part.includes("%")) continue;
    try {
      decodeURIComponent(part);
    } catch {
      return index + 1;
    }
  }
  return 0;
}

/** The 1-based position of the first query part with no name (`=x`, `=`), or 0. Empty parts (`&&`) are nothing and pass. */
export function namelessQueryPart(url: string): number {
  const start = url.indexOf("?");
  if (start === -1 || url.indexOf("=", start) === -1) return 0;
  return queryParts(url).findIndex((part) => part.startsWith("=")) + 1;
}
