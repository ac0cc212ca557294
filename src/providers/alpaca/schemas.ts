/**
 * Alpaca market-data wire shapes (trading.md §2), parsed leniently: extra
 * keys are ignored, the fields we map are required.
 * Each shape is built on its first parse (`z.lazy`), not at import: a server
 * without this provider configured never needs them (start-up time).
 * @module
 */
import { z } from "zod";
import { listOf, mapOf } from "../stopAtFirstIssue.ts";

/**
 * A page token is sent back in the next URL and logged with it: a short
 * base64-like string, not whatever the provider sends (a probe's 1 MB token
 * made a 1 MB URL and log line).
 */
const pageToken = () =>
  z
    .string()
    .max(512)
    .regex(/^[A-Za-z0-9+/=_.-]*$/)
    .nullable()
    .optional();

/** `GET /v2/stocks/quotes/latest`. */
export const LatestQuotes = z.lazy(() =>
  z.object({
    quotes: mapOf(
      z.string(),
      z.object({ t: z.string(), ap: z.number(), as: z.number(), bp: z.number(), bs: z.number() }),
    ),
  }),
);

/** `GET /v2/stocks/bars`. */
export const BarsPage = z.lazy(() =>
  z.object({
    bars: mapOf(
      z.string(),
      listOf(
        z.object({
          t: z.string(),
          o: z.number(),
          h: z.number(),
          l: z.number(),
          c: z.number(),
          v: z.number(),
          n: z.number().optional(),
          vw: z.number().optional(),
        }),
      ),
    ).nullable(),
    next_page_token: pageToken(),
  }),
);

/** `GET /v1beta1/news`. */
export const NewsPage = z.lazy(() =>
  z.object({
    news: listOf(
      z.object({
        id: z.number(),
        headline: z.string(),
        author: z.string().nullable().optional(),
        created_at: z.string(),
        updated_at: z.string(),
        summary: z.string().nullable().optional(),
        url: z.string().nullable().optional(),
        symbols: listOf(z.string()),
        source: z.string(),
      }),
    ),
    next_page_token: pageToken(),
  }),
);
