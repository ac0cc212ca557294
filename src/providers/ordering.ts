/**
 * What every adapter's bars and news satisfy, whatever the provider sent:
 * within the requested range (an unparseable time is outside it), no
 * duplicates, in the documented order (bars ascending, news newest first),
 * at most `limit` items. Providers page, retry and cache differently; the
 * domain model does not.
 * @module
 */
import type { Bar, NewsItem } from "./types.ts";

const within = (text: string, start: number, end: number): boolean => {
  const at = Date.parse(text);
  return at >= start && at <= end; // false for NaN
};

/** Bars in [start, end], one per timestamp (the first seen), ascending, at most `limit`. */
export function orderedBars(bars: Bar[], start: number, end: number, limit: number): Bar[] {
  const seen = new Set<string>();
  return bars
    .filter((bar) => {
      if (!within(bar.t, start, end) || seen.has(bar.t)) return false;
      seen.add(bar.t);
      return true;
    })
    .sort((a, b) => Date.parse(a.t) - Date.parse(b.t))
    .slice(0, limit);
}

/** News in [start, end] by `created_at`, one per id (the first seen), newest first, at most `limit`. */
export function orderedNews(
  items: NewsItem[],
  start: number,
  end: number,
  limit: number,
): NewsItem[] {
  const seen = new Set<string>();
  return items
    .filter((item) => {
      if (!within(item.created_at, start, end) || seen.has(item.id)) return false;
      seen.add(item.id);
      return true;
    })
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))
    .slice(0, limit);
}
