/**
 * Long bar requests computed in slices with a turn of the event loop between
 * them. A cold ten-year daily request builds ~2 500 sessions of minute paths
 * (~400 ms on a small machine); done in one piece, every other request and
 * health check waited behind it. Slices of {@link SLICE_MS} keep each piece
 * to a few ms, and a request whose client went away stops at the next slice.
 * Each slice runs through the simulator's compute share (computeShare.ts), so
 * all bar requests together take at most part of the loop.
 * @module
 */
import { nextTurn } from "../../clock/index.ts";
import type { BarsQuery } from "../types.ts";
import { simulatedBars } from "./aggregate.ts";
import type { ComputeShare } from "./computeShare.ts";
import type { RawBar } from "./minuteBars.ts";
import type { SymbolParams } from "./symbolParams.ts";

/** Range computed between two yields: about 22 sessions. */
export const SLICE_MS = 32 * 86_400_000;

/** No pacing: every slice runs at once (tests of the slicing itself). */
const unpaced: ComputeShare = { run: async (slice) => slice() };

/**
 * The same bars as `simulatedBars(params, query.timeframe, query, now)`, in
 * slices (with `query.latest`, the last `limit` of them, sliced from the end).
 * Slices are disjoint inclusive ranges covering [start, end], so each
 * bar (stamped in exactly one of them) comes out once, in order.
 */
export async function chunkedBars(
  params: SymbolParams,
  query: BarsQuery,
  now: number,
  signal: AbortSignal,
  share: ComputeShare = unpaced,
): Promise<RawBar[]> {
  if (query.latest) return latestBars(params, query, now, signal, share);
  const out: RawBar[] = [];
  for (let from = query.start; from <= query.end && out.length < query.limit; from += SLICE_MS) {
    if (from !== query.start) {
      await nextTurn();
      if (signal.aborted) throw signal.reason;
    }
    const slice = { start: from, end: Math.min(query.end, from + SLICE_MS - 1) };
    const limit = query.limit - out.length;
    const bars = await share.run(
      () => simulatedBars(params, query.timeframe, { ...slice, limit }, now),
      signal,
    );
    for (const bar of bars) out.push(bar);
  }
  return out;
}

/** The last `query.limit` bars of [start, end], ascending: slices taken from the end back. */
async function latestBars(
  params: SymbolParams,
  query: BarsQuery,
  now: number,
  signal: AbortSignal,
  share: ComputeShare,
): Promise<RawBar[]> {
  const slices: RawBar[][] = [];
  let count = 0;
  for (let to = query.end; to >= query.start && count < query.limit; to -= SLICE_MS) {
    if (to !== query.end) {
      await nextTurn();
      if (signal.aborted) throw signal.reason;
    }
    const slice = { start: Math.max(query.start, to - SLICE_MS + 1), end: to };
    const bars = await share.run(
      () =>
        simulatedBars(params, query.timeframe, { ...slice, limit: Number.MAX_SAFE_INTEGER }, now),
      signal,
    );
    slices.unshift(bars);
    count += bars.length;
  }
  return slices.flat().slice(-query.limit);
}
