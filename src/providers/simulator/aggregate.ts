/**
 * Bars of any timeframe as aggregates of the one-minute bars, so every
 * timeframe tells the same story: a 5Min bar is exactly its five 1Min bars,
 * a 1Day bar exactly its session. Intraday buckets are aligned to multiples
 * of the timeframe in UTC (New York offsets are whole hours, so 1Hour buckets
 * are local clock hours); daily bars are stamped at New York midnight.
 * @module
 */
import { TIMEFRAME_MS, type Timeframe } from "../types.ts";
import { newYorkDay, newYorkMidnight, sessionClose } from "./calendar.ts";
import { type RawBar, round4, sessionBar, sessionMinuteBars } from "./minuteBars.ts";
import { FIRST_DAY, LAST_DAY } from "./pricePath.ts";
import type { SymbolParams } from "./symbolParams.ts";

/** Combines consecutive bars into one stamped `t`. */
export function combine(t: number, bars: readonly RawBar[]): RawBar {
  const first = bars[0] as RawBar;
  let h = first.h;
  let l = first.l;
  let v = 0;
  let n = 0;
  let notional = 0;
  for (const bar of bars) {
    if (bar.h > h) h = bar.h;
    if (bar.l < l) l = bar.l;
    v += bar.v;
    n += bar.n;
    notional += bar.vw * bar.v;
  }
  const vw = Math.min(h, Math.max(l, round4(notional / v)));
  return { t, o: first.o, h, l, c: (bars[bars.length - 1] as RawBar).c, v, n, vw };
}

/** Splits a session's complete minutes into timeframe buckets. */
function bucketsOf(minutes: readonly RawBar[], timeframe: Timeframe, day: number): RawBar[] {
  if (timeframe === "1Min") return [...minutes];
  if (timeframe === "1Day") return [combine(newYorkMidnight(day), minutes)];
  const size = TIMEFRAME_MS[timeframe];
  const out: RawBar[] = [];
  let group: RawBar[] = [];
  let bucket = Number.NaN;
  for (const bar of minutes) {
    const start = Math.floor(bar.t / size) * size;
    if (start !== bucket && group.length > 0) {
      out.push(combine(bucket, group));
      group = [];
    }
    bucket = start;
    group.push(bar);
  }
  if (group.length > 0) out.push(combine(bucket, group));
  return out;
}

/**
 * Finished sessions' daily bars in two generations of at most {@link DAILY_GENERATION}: when
 * the newer fills, it becomes the older and the older is dropped. Deleting the oldest key one
 * at a time instead (`keys().next()`) walks the map's deleted slots: 20–150 µs per insert at
 * 50 000 entries under churn, which made each new symbol's ten-year request ~50 % slower.
 */
const DAILY_GENERATION = 25_000;
let dailyNewer = new Map<string, RawBar>();
let dailyOlder = new Map<string, RawBar>();

/** A finished session's daily bar, memoised (daily requests over years stay cheap). */
function closedDailyBar(params: SymbolParams, day: number): RawBar | undefined {
  const key = `${params.key}|${params.symbol}|${day}`;
  const hit = dailyNewer.get(key);
  if (hit) return hit;
  // A hit in the older generation moves up, so a symbol in use survives the next turnover.
  const bar = dailyOlder.get(key) ?? sessionBar(params, day, newYorkMidnight(day));
  if (!bar) return undefined;
  if (dailyNewer.size >= DAILY_GENERATION) {
    dailyOlder = dailyNewer;
    dailyNewer = new Map();
  }
  dailyNewer.set(key, bar);
  return bar;
}

/**
 * Bars of `timeframe` stamped in [start, end], built only from minutes that
 * ended by `now` (no bars from the future; today's bar grows during the
 * session), ascending, at most `limit`.
 */
export function simulatedBars(
  params: SymbolParams,
  timeframe: Timeframe,
  range: { start: number; end: number; limit: number },
  now: number,
): RawBar[] {
  const end = Math.min(range.end, now);
  const out: RawBar[] = [];
  const firstDay = Math.max(FIRST_DAY, newYorkDay(range.start));
  const lastDay = Math.min(LAST_DAY, newYorkDay(end));
  for (let day = firstDay; day <= lastDay && out.length < range.limit; day++) {
    let bars: RawBar[];
    if (timeframe === "1Day" && sessionClose(day) <= now) {
      const daily = closedDailyBar(params, day);
      bars = daily ? [daily] : [];
    } else {
      const minutes = sessionMinuteBars(params, day)?.filter((bar) => bar.t + 60_000 <= now);
      bars = minutes && minutes.length > 0 ? bucketsOf(minutes, timeframe, day) : [];
    }
    for (const bar of bars) {
      if (bar.t < range.start || bar.t > end) continue;
      out.push(bar);
      if (out.length >= range.limit) break;
    }
  }
  return out;
}
