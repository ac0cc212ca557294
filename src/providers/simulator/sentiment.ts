/**
 * Simulated sentiment: news sentiment of the last three days (recent items
 * weigh more) blended with the last session's move, and social mentions
 * that grow with the size of recent surprises. Computed per whole hour so
 * every request within an hour agrees.
 * @module
 */
import { type Sentiment, sentimentLabel } from "../types.ts";
import { lastClosedSession } from "./calendar.ts";
import { simulatedNews } from "./newsFeed.ts";
import { sessionEnds } from "./pricePath.ts";
import { normal, Stream } from "./random.ts";
import type { SymbolParams } from "./symbolParams.ts";

const HOUR_MS = 3_600_000;
const WINDOW_MS = 72 * HOUR_MS;
const iso = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");

/** Sentiment of `params.symbol` as of the last whole hour before `now`. */
export function simulatedSentiment(params: SymbolParams, now: number): Sentiment {
  const asOf = Math.floor(now / HOUR_MS) * HOUR_MS;
  const windowStart = asOf - WINDOW_MS;
  const items = simulatedNews([params], { start: windowStart, end: asOf, limit: 50 }, asOf);
  let weighted = 0;
  let weights = 0;
  for (const item of items) {
    const age = asOf - Date.parse(item.created_at);
    const weight = Math.exp(-age / (24 * HOUR_MS));
    weighted += weight * (item.sentiment ?? 0);
    weights += weight;
  }
  const newsScore = weights > 0 ? weighted / weights : 0;
  const last = lastClosedSession(asOf);
  const lastZ = last === undefined ? 0 : sessionEnds(params, last).z;
  const raw =
    weights > 0 ? 0.7 * newsScore + 0.3 * Math.tanh(lastZ / 2) : 0.5 * Math.tanh(lastZ / 2);
  const score = Math.round(Math.max(-1, Math.min(1, raw)) * 10_000) / 10_000;
  const surprise = items.reduce((sum, item) => sum + Math.abs(item.sentiment ?? 0), 0);
  const baseline = Math.min(5_000, Math.max(5, params.dailyVolume / 20_000));
  const noise = Math.exp(0.3 * normal(params.key, Stream.mentions, asOf / HOUR_MS));
  const mentions = Math.round(baseline * (1 + 3 * surprise) * noise);
  const positive = Math.round(mentions * (0.35 + 0.3 * score));
  const negative = Math.min(mentions - positive, Math.round(mentions * (0.35 - 0.3 * score)));
  return {
    symbol: params.symbol,
    as_of: iso(asOf),
    window_start: iso(windowStart),
    score,
    label: sentimentLabel(score),
    mentions,
    positive_mentions: positive,
    negative_mentions: Math.max(0, negative),
  };
}
