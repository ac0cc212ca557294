/**
 * The simulated top of book at an instant: during a session the mid follows
 * the minute path (interpolated within the minute, to the second); outside
 * it, the last session's closing book. Bid/ask straddle the mid by a
 * per-symbol spread of at least one tick.
 * @module
 */
import type { Quote } from "../types.ts";
import {
  isTradingDay,
  lastClosedSession,
  newYorkDay,
  sessionClose,
  sessionOpen,
} from "./calendar.ts";
import { roundPrice } from "./minuteBars.ts";
import { minutePath } from "./pricePath.ts";
import { Stream, uniform } from "./random.ts";
import type { SymbolParams } from "./symbolParams.ts";

const iso = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");

/** Mid price and the instant it refers to, or undefined before 1970's first session. */
function midAt(params: SymbolParams, now: number): { mid: number; at: number } | undefined {
  const second = Math.floor(now / 1000) * 1000;
  const today = newYorkDay(second);
  if (isTradingDay(today) && second >= sessionOpen(today) && second < sessionClose(today)) {
    const path = minutePath(params, today);
    if (path) {
      const elapsed = second - sessionOpen(today);
      const m = Math.floor(elapsed / 60_000);
      const frac = (elapsed % 60_000) / 60_000;
      const x = (path[m] as number) + ((path[m + 1] as number) - (path[m] as number)) * frac;
      return { mid: Math.exp(x), at: second };
    }
  }
  const day = lastClosedSession(second);
  if (day === undefined) return undefined;
  const path = minutePath(params, day);
  if (!path) return undefined;
  return { mid: Math.exp(path[path.length - 1] as number), at: sessionClose(day) };
}

/** The simulated latest quote of `symbol` at `now`. */
export function simulatedQuote(params: SymbolParams, now: number): Quote | undefined {
  const point = midAt(params, now);
  if (!point) return undefined;
  const tick = point.mid >= 1 ? 0.01 : 0.0001;
  const halfSpread = Math.max(tick, (params.spreadBps / 10_000) * point.mid) / 2;
  const scale = 1 / tick;
  const bid = Math.max(tick, Math.floor((point.mid - halfSpread) * scale) / scale);
  let ask = Math.ceil((point.mid + halfSpread) * scale) / scale;
  if (ask <= bid) ask = Math.round((bid + tick) * scale) / scale;
  const size = (tag: number) =>
    100 * (1 + Math.floor(10 * uniform(params.key, Stream.quoteSize, point.at / 1000, tag)));
  return {
    symbol: params.symbol,
    timestamp: iso(point.at),
    price: roundPrice(point.mid),
    bid: Math.round(bid * scale) / scale,
    ask,
    bid_size: size(1),
    ask_size: size(2),
  };
}
