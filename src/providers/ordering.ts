/**
 * What every adapter's bars and news satisfy, whatever the provider sent:
 * within the requested range (an unparseable time is outside it), no
 * duplicates, in the documented order (bars ascending, news newest first),
 * at most `limit` items. Providers page, retry and cache differently; the
 * domain model does not.
 *
 * Each time is parsed once (a sort comparing `Date.parse` results took
 * ~140 ms on 10 000 shuffled bars), and input already in order, the usual
 * case, is not sorted at all.
 * @module
 */
import { boundedNewsItem, withPlausibleExtras } from "./plausible.ts";
import type { Bar, NewsItem } from "./types.ts";

/**
 * Items in [start, end] by `timeOf`, first of each `idOf`, in `direction` order, at most
 * `limit`: the first ones, or the last with `fromEnd`.
 */
function ordered<T>(
  items: T[],
  timeOf: (item: T) => string,
  idOf: (item: T) => string,
  direction: 1 | -1,
  range: { start: number; end: number; limit: number; fromEnd?: boolean },
): T[] {
  const seen = new Set<string>();
  const kept: { item: T; at: number }[] = [];
  let sorted = true;
  for (const item of items) {
    const at = Date.parse(timeOf(item));
    if (!(at >= range.start && at <= range.end)) continue; // NaN is outside
    const id = idOf(item);
    if (seen.has(id)) continue;
    seen.add(id);
    const last = kept[kept.length - 1];
    if (last && (at - last.at) * direction < 0) sorted = false;
    kept.push({ item, at });
  }
  if (!sorted) kept.sort((a, b) => (a.at - b.at) * direction);
  const cut = range.fromEnd ? kept.slice(-range.limit) : kept.slice(0, range.limit);
  return cut.map((k) => k.item);
}

/**
 * A bar that can be real: positive finite prices with the low at or below open and
 * close and the high at or above them, and a volume that is not negative. Anything
 * else (a negative price, high below low, an overflow read as Infinity) is dropped,
 * like a bar outside the range, rather than passed on as market data.
 */
function isSaneBar(b: Bar): boolean {
  const prices = [b.o, b.h, b.l, b.c];
  if (!prices.every((p) => Number.isFinite(p) && p > 0)) return false;
  if (b.l > Math.min(b.o, b.c) || b.h < Math.max(b.o, b.c)) return false;
  return Number.isFinite(b.v) && b.v >= 0;
}

/**
 * Sane bars in [start, end], one per timestamp (the first seen), ascending, at most `limit`
 * (the first ones, or the last with `latest`); a trade count or average price that cannot be
 * real is null.
 */
export function orderedBars(
  bars: Bar[],
  start: number,
  end: number,
  limit: number,
  latest = false,
): Bar[] {
  return ordered(
    bars.filter(isSaneBar).map(withPlausibleExtras),
    (b) => b.t,
    (b) => b.t,
    1,
    { start, end, limit, fromEnd: latest },
  );
}

/**
 * News in [start, end] by `created_at`, one per id (the first seen), newest first, at most
 * `limit`, each cut to the text limits of plausible.ts.
 */
export function orderedNews(
  items: NewsItem[],
  start: number,
  end: number,
  limit: number,
): NewsItem[] {
  return ordered(
    items,
    (n) => n.created_at,
    (n) => n.id,
    -1,
    { start, end, limit },
  ).map(boundedNewsItem);
}
