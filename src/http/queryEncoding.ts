/**
 * Query strings whose percent escapes decode to nothing (`%zz`, a cut UTF-8
 * sequence such as `%E2%82`). Hono keeps such a value as sent, so a filter
 * would quietly match that literal text and answer "nothing found" to a
 * request that asked nothing well-formed; the validation hook refuses them.
 * @module
 */

/** The 1-based position of the first `&`-separated query part that does not decode, or 0. */
export function undecodableQueryPart(url: string): number {
  const start = url.indexOf("?");
  if (start === -1 || url.indexOf("%", start) === -1) return 0;
  const end = url.indexOf("#", start);
  const parts = url.slice(start + 1, end === -1 ? undefined : end).split("&");
  for (const [index, part] of parts.entries()) {
    if (!part.includes("%")) continue;
    try {
      decodeURIComponent(part);
    } catch {
      return index + 1;
    }
  }
  return 0;
}
