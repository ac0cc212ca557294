/**
 * The price model. Log price is a GBM whose Brownian motion is built top-down
 * as a dyadic Brownian bridge over 2^18 points (4 per calendar day from
 * 1970-01-01): the value at any point costs 18 hashes and needs no prefix sum
 * and no stored state. Per day: point 4k+1 is the 09:30 open and 4(k+1) the
 * 16:00 close, so the overnight gap carries a quarter of a day's variance and
 * weekends/holidays accumulate into the next open. Within the session the
 * 390 one-minute closes follow a Brownian bridge from open to close; on a
 * "news day" (|session z| > 1.6) most of the move happens in one minute.
 * @module
 */
import { isTradingDay, SESSION_MINUTES } from "./calendar.ts";
import { normal, Stream, uniform } from "./random.ts";
import type { SymbolParams } from "./symbolParams.ts";

const LEVELS = 18;
const POINTS = 2 ** LEVELS;
const POINTS_PER_DAY = 4;
const POINTS_PER_YEAR = POINTS_PER_DAY * 365.25;
/** First day number the model covers (1970-01-01). */
export const FIRST_DAY = 0;
/** Last day number the model covers (65 535: 2149-06-06, a Saturday). */
export const LAST_DAY = POINTS / POINTS_PER_DAY - 1;
/** 2024-01-02 open: where `startPrice` holds. */
const ANCHOR_POINT = 19_724 * POINTS_PER_DAY + 1;
/** Session z-score beyond which a day has a news-driven jump. */
export const JUMP_Z = 1.6;
/** Share of the session move concentrated in the jump minute. */
const JUMP_SHARE = 0.6;

/** Standard Brownian motion at integer point `p` (B(0) = 0, unit variance per point). */
function brownian(key: number, p: number): number {
  let lo = 0;
  let hi = POINTS;
  let bLo = 0;
  let bHi = Math.sqrt(POINTS) * normal(key, Stream.tree, POINTS);
  if (p <= 0) return 0;
  if (p >= POINTS) return bHi;
  for (;;) {
    const mid = (lo + hi) / 2;
    // Each interior dyadic point is the midpoint of exactly one interval, so it keys itself.
    const bMid = (bLo + bHi) / 2 + Math.sqrt((hi - lo) / 4) * normal(key, Stream.tree, mid);
    if (p === mid) return bMid;
    if (p < mid) {
      hi = mid;
      bHi = bMid;
    } else {
      lo = mid;
      bLo = bMid;
    }
  }
}

const anchorMemo = new Map<number, number>();

/** B at the anchor point of a symbol key (memoised: it is needed for every price). */
function anchorValue(key: number): number {
  let value = anchorMemo.get(key);
  if (value === undefined) {
    value = brownian(key, ANCHOR_POINT);
    if (anchorMemo.size >= 10_000) anchorMemo.clear();
    anchorMemo.set(key, value);
  }
  return value;
}

/** Log price at point `p`. */
function logPrice(params: SymbolParams, p: number): number {
  const sigma = params.volatility;
  const drift = (params.drift - (sigma * sigma) / 2) * ((p - ANCHOR_POINT) / POINTS_PER_YEAR);
  const diffusion =
    (sigma / Math.sqrt(POINTS_PER_YEAR)) * (brownian(params.key, p) - anchorValue(params.key));
  return Math.log(params.startPrice) + drift + diffusion;
}

/** Standard deviation of a session's log return. */
const sessionSd = (params: SymbolParams): number =>
  params.volatility * Math.sqrt((POINTS_PER_DAY - 1) / POINTS_PER_YEAR);

/** Open/close log prices of day `day` and the session's z-score. */
export interface SessionEnds {
  open: number;
  close: number;
  /** Session log return in units of its standard deviation. */
  z: number;
  /** Minute (0-based) of the news jump, when this is a news day. */
  jumpMinute: number | undefined;
}

/** Open and close of a session, without building its minute path. */
export function sessionEnds(params: SymbolParams, day: number): SessionEnds {
  const open = logPrice(params, day * POINTS_PER_DAY + 1);
  const close = logPrice(params, (day + 1) * POINTS_PER_DAY);
  const z = (close - open) / sessionSd(params);
  const jumpMinute =
    Math.abs(z) > JUMP_Z
      ? 30 + Math.floor(uniform(params.key, Stream.jumpMinute, day) * (SESSION_MINUTES - 60))
      : undefined;
  return { open, close, z, jumpMinute };
}

/**
 * Recently built paths. A quote or a bar request rebuilds the same session
 * (390 normal draws) on every call otherwise; bounded so symbol or date
 * scans cannot grow it. The arrays are shared: callers only read them.
 */
const PATH_MEMO_SIZE = 512;
const pathMemo = new Map<string, Float64Array>();

/**
 * The session's log price at each minute boundary: index m is the open of
 * minute m, index 390 the close. Undefined on non-trading days.
 */
export function minutePath(params: SymbolParams, day: number): Float64Array | undefined {
  if (day < FIRST_DAY || day > LAST_DAY || !isTradingDay(day)) return undefined;
  // The symbol too: its key is a 32-bit hash, and a crafted symbol that collides with a
  // pinned one (AAPL's start price and volatility are not in the key) took over its path.
  const memoKey = `${params.key}|${params.symbol}|${day}`;
  const memoized = pathMemo.get(memoKey);
  if (memoized) return memoized;
  const path = buildMinutePath(params, day);
  if (pathMemo.size >= PATH_MEMO_SIZE) pathMemo.delete(pathMemo.keys().next().value as string);
  pathMemo.set(memoKey, path);
  return path;
}

function buildMinutePath(params: SymbolParams, day: number): Float64Array {
  const ends = sessionEnds(params, day);
  const move = ends.close - ends.open;
  const jump = ends.jumpMinute === undefined ? 0 : JUMP_SHARE * move;
  const sd = sessionSd(params) / Math.sqrt(SESSION_MINUTES);
  const walk = new Float64Array(SESSION_MINUTES + 1);
  for (let m = 1; m <= SESSION_MINUTES; m++) {
    walk[m] = (walk[m - 1] as number) + sd * normal(params.key, Stream.minute, day, m);
  }
  const end = walk[SESSION_MINUTES] as number;
  const target = move - jump;
  const path = new Float64Array(SESSION_MINUTES + 1);
  for (let m = 0; m <= SESSION_MINUTES; m++) {
    const bridge = (walk[m] as number) - (m / SESSION_MINUTES) * (end - target);
    const jumped = ends.jumpMinute !== undefined && m > ends.jumpMinute ? jump : 0;
    path[m] = ends.open + bridge + jumped;
  }
  path[SESSION_MINUTES] = ends.close; // exact, whatever floating-point drift the sums left
  return path;
}

/** Standard deviation of a one-minute log return (for wick sizes). */
export const minuteSd = (params: SymbolParams): number =>
  sessionSd(params) / Math.sqrt(SESSION_MINUTES);
