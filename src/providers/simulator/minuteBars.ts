/**
 * One-minute bars of a session, from the minute path: OHLC in cents (4
 * decimals under $1), a U-shaped intraday volume profile with a burst at the
 * news jump, trade counts and VWAP. Memoised per (seed, symbol, day): the memo
 * is a pure cache and never changes an answer.
 * @module
 */
import { isoTime } from "../shape.ts";
import type { Bar } from "../types.ts";
import { SESSION_MINUTES, sessionOpen } from "./calendar.ts";
import { minutePath, minuteSd, sessionEnds } from "./pricePath.ts";
import { hashKeys, normal, Stream, uniform } from "./random.ts";
import type { SymbolParams } from "./symbolParams.ts";

/** A bar with its start as epoch ms, before serialisation. */
export interface RawBar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n: number;
  vw: number;
}

/** Rounds a price to its tick: cents from $1, 1/100 cent below. */
export function roundPrice(price: number): number {
  const scale = price >= 1 ? 100 : 10_000;
  return Math.max(1 / scale, Math.round(price * scale) / scale);
}

/** Rounds to 4 decimals (VWAP). */
export const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/** U-shaped intraday weight, heaviest at the open and the close. */
const profile = (m: number): number => 1 + 1.5 * ((m - 195) / 195) ** 2;
const PROFILE_MEAN = (() => {
  let sum = 0;
  for (let m = 0; m < SESSION_MINUTES; m++) sum += profile(m);
  return sum / SESSION_MINUTES;
})();

/** Everything a session's minutes are computed from. */
interface Session {
  params: SymbolParams;
  day: number;
  /** Rounded price at each minute boundary (index 390 = close). */
  prices: Float64Array;
  /** Unrounded, for wicks. */
  raw: Float64Array;
  jumpMinute: number | undefined;
  wick: number;
  volumePerMinute: number;
  open: number;
}

function session(params: SymbolParams, day: number): Session | undefined {
  const path = minutePath(params, day);
  if (!path) return undefined;
  const ends = sessionEnds(params, day);
  const raw = new Float64Array(path.length);
  const prices = new Float64Array(path.length);
  for (let i = 0; i < path.length; i++) {
    raw[i] = Math.exp(path[i] as number);
    prices[i] = roundPrice(raw[i] as number);
  }
  const surprise = Math.max(0, Math.abs(ends.z) - 1);
  const dayVolume =
    params.dailyVolume *
    Math.exp(0.35 * normal(params.key, Stream.dayVolume, day) - 0.06) *
    (1 + 1.5 * surprise);
  return {
    params,
    day,
    prices,
    raw,
    jumpMinute: ends.jumpMinute,
    wick: 0.6 * minuteSd(params),
    volumePerMinute: dayVolume / SESSION_MINUTES / PROFILE_MEAN,
    open: sessionOpen(day),
  };
}

/** Writes minute `m` of the session into `out` (no allocation: daily bars over years call this a lot). */
function fillMinute(s: Session, m: number, out: RawBar): void {
  const { params, day } = s;
  const o = s.raw[m] as number;
  const c = s.raw[m + 1] as number;
  // One hash for both wicks (16 bits each, exponential sizes) and one for the volume noise.
  const bits = hashKeys(params.key, Stream.wicks, day, m);
  const upper = -Math.log(((bits >>> 16) + 0.5) / 65_536);
  const lower = -Math.log(((bits & 0xffff) + 0.5) / 65_536);
  out.t = s.open + m * 60_000;
  out.o = s.prices[m] as number;
  out.c = s.prices[m + 1] as number;
  out.h = roundPrice(Math.max(o, c) * Math.exp(s.wick * upper));
  out.l = roundPrice(Math.min(o, c) * Math.exp(-s.wick * lower));
  const burst =
    s.jumpMinute !== undefined && m >= s.jumpMinute ? 1 + 6 * Math.exp(-(m - s.jumpMinute) / 5) : 1;
  const noise = 0.6 + 0.8 * uniform(params.key, Stream.volume, day, m);
  out.v = Math.max(1, Math.round(s.volumePerMinute * profile(m) * noise * burst));
  out.n = Math.max(1, Math.round(out.v / params.tradeSize));
  out.vw = Math.min(out.h, Math.max(out.l, round4((out.h + out.l + out.c) / 3)));
}

const MEMO_LIMIT = 128;
const memo = new Map<string, RawBar[]>();

/** The 390 one-minute bars of `day`, or undefined when there is no session. */
export function sessionMinuteBars(params: SymbolParams, day: number): RawBar[] | undefined {
  const memoKey = `${params.key}|${params.symbol}|${day}`;
  const hit = memo.get(memoKey);
  if (hit) return hit;
  const s = session(params, day);
  if (!s) return undefined;
  const bars: RawBar[] = [];
  for (let m = 0; m < SESSION_MINUTES; m++) {
    const bar: RawBar = { t: 0, o: 0, h: 0, l: 0, c: 0, v: 0, n: 0, vw: 0 };
    fillMinute(s, m, bar);
    bars.push(bar);
  }
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
  memo.set(memoKey, bars);
  return bars;
}

/**
 * The whole session as one bar stamped `t`: the same numbers as combining
 * its 390 minute bars (see aggregate.ts `combine`), without building them.
 */
export function sessionBar(params: SymbolParams, day: number, t: number): RawBar | undefined {
  const s = session(params, day);
  if (!s) return undefined;
  const scratch: RawBar = { t: 0, o: 0, h: 0, l: 0, c: 0, v: 0, n: 0, vw: 0 };
  let h = Number.NEGATIVE_INFINITY;
  let l = Number.POSITIVE_INFINITY;
  let v = 0;
  let n = 0;
  let notional = 0;
  for (let m = 0; m < SESSION_MINUTES; m++) {
    fillMinute(s, m, scratch);
    if (scratch.h > h) h = scratch.h;
    if (scratch.l < l) l = scratch.l;
    v += scratch.v;
    n += scratch.n;
    notional += scratch.vw * scratch.v;
  }
  const o = s.prices[0] as number;
  const c = s.prices[SESSION_MINUTES] as number;
  return { t, o, h, l, c, v, n, vw: Math.min(h, Math.max(l, round4(notional / v))) };
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** The last day formatted, and its `YYYY-MM-DDT`: bars come in runs of one day. */
let prefixDay = Number.NaN;
let dayPrefix = "";

/**
 * `t` as {@link isoTime} writes it (RFC 3339 UTC, no fractional zeros). A whole minute is
 * put together from the day's cached prefix: `new Date().toISOString()` per bar was half the
 * cost of a 10 000-bar answer.
 */
export function isoMinute(t: number): string {
  const day = Math.floor(t / DAY_MS);
  const inDay = t - day * DAY_MS;
  if (inDay % MINUTE_MS !== 0 || !(day >= 0 && day < 2_932_897)) {
    return isoTime(t); // not a whole minute, or a year past 9999
  }
  if (day !== prefixDay) {
    prefixDay = day;
    dayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  const minutes = inDay / MINUTE_MS;
  const hh = Math.floor(minutes / 60);
  const mm = minutes - hh * 60;
  return `${dayPrefix}${hh < 10 ? "0" : ""}${hh}:${mm < 10 ? "0" : ""}${mm}:00Z`;
}

/** Serialises a raw bar to the domain model. */
export function toBar(raw: RawBar): Bar {
  return {
    t: isoMinute(raw.t),
    o: raw.o,
    h: raw.h,
    l: raw.l,
    c: raw.c,
    v: raw.v,
    n: raw.n,
    vw: raw.vw,
  };
}
