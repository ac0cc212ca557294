/**
 * Paging back through news (newest first) without a server-side cursor: a
 * page that has items says where the next one ends. Unlike bar times, news
 * times are not unique: several items can share a millisecond. A page that
 * may end inside such a group leaves the whole group to the next page, whose
 * `end` is then that time itself; otherwise the next page ends a millisecond
 * before the page's oldest item. So no item is repeated or skipped, unless
 * more than `limit` items share one millisecond: that page is served whole
 * and the rest of its millisecond is skipped.
 *
 * Whether a page ends inside a group is seen from one item more than `limit`,
 * when the provider was asked for it (the route asks for `limit + 1` up to
 * the most a provider page holds, 50). A full page without that item is
 * taken to end inside one: its oldest millisecond moves to the next page.
 *
 * As with bars, a short page still points on (a provider's implausible or
 * duplicate items are dropped after it counted them); clients stop at a null
 * cursor or an empty page.
 * @module
 */
import { isoTime } from "../../providers/index.ts";

/** One page of news and where the next one ends. */
export interface NewsPage<T> {
  news: T[];
  /** Pass as `end` (keep `start`, `symbols`, `limit`): the items before this page. Null: none. */
  next_end: string | null;
}

/**
 * The page of at most `limit` items of `items` (newest first, possibly one more than `limit`)
 * and its cursor, which stays within `start`.
 */
export function newsPage<T extends { created_at: string }>(
  items: readonly T[],
  limit: number,
  start: number,
): NewsPage<T> {
  const page = items.slice(0, limit);
  const oldest = Date.parse(page.at(-1)?.created_at ?? "");
  if (!Number.isFinite(oldest)) return { news: page, next_end: null };
  const beyond = items[limit];
  const maybeCut =
    beyond === undefined ? page.length === limit : Date.parse(beyond.created_at) === oldest;
  const before = maybeCut ? page.filter((n) => Date.parse(n.created_at) !== oldest) : [];
  // The group goes whole to the next page, unless it is this whole page.
  if (before.length > 0) return { news: before, next_end: isoTime(oldest) };
  return { news: page, next_end: oldest - 1 >= start ? isoTime(oldest - 1) : null };
}
