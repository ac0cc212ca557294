/**
 * Simulated news: every session whose move is a jump (|z| > 1.6) gets an item
 * published in the jump minute, its sentiment signed like the move and
 * growing with it; a few quiet days get a routine, near-neutral item. All of
 * it is derived from the price model, so news, sentiment and prices agree.
 * @module
 */
import { type NewsItem, sentimentLabel } from "../types.ts";
import { DAY_MS, isTradingDay, SESSION_MINUTES, sessionOpen } from "./calendar.ts";
import { FIRST_DAY, LAST_DAY, sessionEnds } from "./pricePath.ts";
import { hashKeys, normal, Stream, uniform } from "./random.ts";
import type { SymbolParams } from "./symbolParams.ts";

const ROUTINE_PROBABILITY = 0.08;

const BULLISH = [
  "{S} surges after earnings beat expectations",
  "{S} rallies on upgraded full-year guidance",
  "Analysts raise {S} price targets after strong demand data",
];
const BEARISH = [
  "{S} slides after guidance cut",
  "{S} falls as regulator opens inquiry",
  "{S} drops after a key customer delays orders",
];
const ROUTINE = [
  "{S} to present at industry conference",
  "{S} announces date of quarterly results",
  "{S} files routine disclosure with the SEC",
];

const iso = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");
const pick = (list: string[], u: number): string => list[Math.floor(u * list.length)] as string;

/** The simulated news of one symbol on one day (0–1 items). */
export function newsOfDay(params: SymbolParams, day: number): NewsItem | undefined {
  if (day < FIRST_DAY || day > LAST_DAY || !isTradingDay(day)) return undefined;
  const ends = sessionEnds(params, day);
  const symbol = params.symbol;
  let minute: number;
  let score: number;
  let template: string;
  if (ends.jumpMinute !== undefined) {
    minute = ends.jumpMinute;
    const tone = 0.8 + 0.2 * uniform(params.key, Stream.newsTone, day);
    score = Math.sign(ends.z) * Math.min(1, Math.tanh(Math.abs(ends.z) / 2.5) * tone);
    template = pick(ends.z > 0 ? BULLISH : BEARISH, uniform(params.key, Stream.headline, day));
  } else if (uniform(params.key, Stream.routineNews, day) < ROUTINE_PROBABILITY) {
    minute = Math.floor(uniform(params.key, Stream.routineMinute, day) * SESSION_MINUTES);
    score = Math.max(-0.14, Math.min(0.14, 0.05 * normal(params.key, Stream.newsTone, day)));
    template = pick(ROUTINE, uniform(params.key, Stream.headline, day));
  } else {
    return undefined;
  }
  score = Math.round(score * 10_000) / 10_000;
  const at = sessionOpen(day) + minute * 60_000 + 15_000;
  const headline = template.replaceAll("{S}", symbol);
  return {
    // The symbol in the id: two symbols whose 32-bit keys collide would otherwise share ids.
    id: `sim-${symbol.toLowerCase()}-${hashKeys(params.key, day, minute).toString(16).padStart(8, "0")}`,
    headline,
    summary: `${headline}. Simulated item for testing; not real news.`,
    author: null,
    source: "simulated",
    url: null,
    symbols: [symbol],
    created_at: iso(at),
    updated_at: iso(at),
    sentiment: score,
    sentiment_label: sentimentLabel(score),
  };
}

/** Items of `symbols` created in [start, min(end, now)], newest first, at most `limit`. */
export function simulatedNews(
  all: SymbolParams[],
  range: { start: number; end: number; limit: number },
  now: number,
): NewsItem[] {
  const end = Math.min(range.end, now);
  const out: NewsItem[] = [];
  const firstDay = Math.max(FIRST_DAY, Math.floor(range.start / DAY_MS) - 1);
  for (let day = Math.min(LAST_DAY, Math.floor(end / DAY_MS) + 1); day >= firstDay; day--) {
    const items = all
      .map((params) => newsOfDay(params, day))
      .filter((item): item is NewsItem => {
        if (!item) return false;
        const at = Date.parse(item.created_at);
        return at >= range.start && at <= end;
      })
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || a.id.localeCompare(b.id));
    for (const item of items) {
      out.push(item);
      if (out.length >= range.limit) return out;
    }
  }
  return out;
}
