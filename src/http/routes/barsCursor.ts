/**
 * Paging through bars without a server-side cursor: a full page (as many bars
 * as `limit`) says where the next one starts. Forward pages (with `start`)
 * continue from just after their last bar; latest pages (without `start`)
 * continue backwards from just before their first bar, through `end`. Bar
 * times are unique per series, so a millisecond past a page's edge neither
 * repeats nor skips a bar; the query is the cursor, and each page is a cacheable
 * request like any other.
 * @module
 */

/** Where the next page of bars is, if this one was full; null when there is none. */
export interface BarsCursor {
  /** Pass as `start` (keep `end`, `limit`): the bars after this page. */
  next_start: string | null;
  /** Pass as `end` without `start`: the bars before this page. */
  next_end: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The cursor of a page of ascending `bars` asked for with `limit` in `range`. */
export function barsCursor(
  bars: readonly { t: string }[],
  limit: number,
  latest: boolean,
  range: { start: number; end: number },
): BarsCursor {
  const none = { next_start: null, next_end: null };
  if (bars.length < limit || bars.length === 0) return none;
  if (latest) {
    const first = Date.parse(bars[0]?.t ?? "");
    return Number.isFinite(first) ? { ...none, next_end: iso(first - 1) } : none;
  }
  const last = Date.parse(bars.at(-1)?.t ?? "");
  return Number.isFinite(last) && last + 1 <= range.end
    ? { ...none, next_start: iso(last + 1) }
    : none;
}
