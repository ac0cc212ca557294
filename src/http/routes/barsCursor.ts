/**
 * Paging through bars without a server-side cursor: a page that has bars says
 * where the next one starts. Forward pages (with `start`) continue from just
 * after their last bar; latest pages (without `start`) continue backwards from
 * just before their first bar, through `end`. Bar times are unique per series,
 * so a millisecond past a page's edge neither repeats nor skips a bar; the
 * query is the cursor, and each page is a cacheable request like any other.
 *
 * A page shorter than `limit` still points on: a provider's implausible or
 * duplicate bars are dropped after it counted them toward the page, and a
 * latest page holds only the default window, not the whole history. Clients
 * stop at a null cursor or an empty page.
 * @module
 */
import { isoTime } from "../../providers/index.ts";

/** Where the next page of bars is; null when there is none. */
export interface BarsCursor {
  /** Pass as `start` (keep `end`, `limit`): the bars after this page. */
  next_start: string | null;
  /** Pass as `end` without `start`: the bars before this page. */
  next_end: string | null;
}

/** The cursor of a page of ascending `bars` in `range` (latest: asked for without `start`). */
export function barsCursor(
  bars: readonly { t: string }[],
  latest: boolean,
  range: { start: number; end: number },
): BarsCursor {
  const none = { next_start: null, next_end: null };
  if (latest) {
    const first = Date.parse(bars[0]?.t ?? "");
    return Number.isFinite(first) ? { ...none, next_end: isoTime(first - 1) } : none;
  }
  const last = Date.parse(bars.at(-1)?.t ?? "");
  return Number.isFinite(last) && last + 1 <= range.end
    ? { ...none, next_start: isoTime(last + 1) }
    : none;
}
