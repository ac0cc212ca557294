/**
 * The query rules of the bars and news routes: the default and longest range
 * per request, the page sizes, and the strict query schemas that publish them
 * in `/openapi.json` (a rule JSON Schema cannot express goes in the field's
 * description, so a client reads it where it reads the field).
 * @module
 */
import { z } from "@hono/zod-openapi";
import { TIMEFRAMES, type Timeframe } from "../../providers/index.ts";
import { optionalDateTime } from "./dateTime.ts";
import { queryInteger } from "./queryInteger.ts";

const DAY = 86_400_000;

/** Longest range one bars request may span, per timeframe. */
export const MAX_SPAN_MS: Record<Timeframe, number> = {
  "1Min": 31 * DAY,
  "5Min": 93 * DAY,
  "15Min": 186 * DAY,
  "1Hour": 366 * DAY,
  "1Day": 3_660 * DAY,
};

/**
 * Default range when `start` is absent, per timeframe: long enough to hold the last session
 * across a weekend and a holiday (a one-day 1Min window was empty all Sunday).
 */
export const DEFAULT_SPAN_MS: Record<Timeframe, number> = {
  "1Min": 4 * DAY,
  "5Min": 5 * DAY,
  "15Min": 10 * DAY,
  "1Hour": 30 * DAY,
  "1Day": 365 * DAY,
};

/** Default range of one news request, before its `end`. */
export const NEWS_DEFAULT_SPAN_MS = 7 * DAY;
/** Longest range one news request may span. */
export const NEWS_MAX_SPAN_MS = 366 * DAY;

/** Most news items one request answers (a provider page: Alpaca's 50). */
export const MAX_NEWS = 50;
const MAX_BARS = 10_000;

const days = (ms: number) => `${ms / DAY} days`;
const perTimeframe = (spans: Record<Timeframe, number>) =>
  TIMEFRAMES.map((tf) => `${tf} ${days(spans[tf])}`).join(", ");
const END = "Inclusive. Default: the last whole minute (a `start` within the current minute: now).";

// Strict, as every query schema: `?tf=1Min` for `?timeframe=` must not answer daily bars.

/** `GET /v1/market/bars/{symbol}`'s query. */
export const BarsQuery = z.strictObject({
  timeframe: z.enum(TIMEFRAMES).default("1Day"),
  start: optionalDateTime(
    `Inclusive. With it, the first \`limit\` bars from here (page on with \`next_start\`); without it, the latest \`limit\` bars of the default window before \`end\` (${perTimeframe(DEFAULT_SPAN_MS)}). From \`start\` to \`end\` may span at most ${perTimeframe(MAX_SPAN_MS)} (400 beyond).`,
  ),
  end: optionalDateTime(END),
  limit: queryInteger(1, MAX_BARS, 1_000),
});

/** `GET /v1/news`'s query. */
export const NewsQuery = z.strictObject({
  symbols: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "Comma-separated symbols, at most 10", example: "AAPL,MSFT" }),
  start: optionalDateTime(
    `Inclusive. Default: ${days(NEWS_DEFAULT_SPAN_MS)} before \`end\`. From \`start\` to \`end\` may span at most ${days(NEWS_MAX_SPAN_MS)} (400 beyond). Paging back with \`next_end\` keeps this \`start\`; without one, each page's default window moves back with its \`end\`, through the whole feed.`,
  ),
  end: optionalDateTime(END),
  limit: queryInteger(1, MAX_NEWS, 10),
});
