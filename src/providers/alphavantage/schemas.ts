/**
 * Alpha Vantage wire shapes (trading.md §2). Every number is a string, and
 * refusals come back with HTTP 200 as `Note`, `Information` or `Error Message`.
 * Each shape is built on its first parse (`z.lazy`), not at import: a server
 * without this provider configured never needs them (start-up time).
 * @module
 */
import { z } from "zod";
import { listOf, mapOf } from "../stopAtFirstIssue.ts";

const decimal = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/)
  .transform(Number);

/** `function=TIME_SERIES_DAILY`. */
export const DailySeries = z.lazy(() =>
  z.object({
    "Meta Data": z.object({ "2. Symbol": z.string() }).loose(),
    "Time Series (Daily)": mapOf(
      z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      z.object({
        "1. open": decimal,
        "2. high": decimal,
        "3. low": decimal,
        "4. close": decimal,
        "5. volume": decimal,
      }),
    ),
  }),
);

/** `function=GLOBAL_QUOTE`; an unknown symbol gives an empty object. */
export const GlobalQuote = z.lazy(() =>
  z.object({
    "Global Quote": z.union([
      z.object({
        "01. symbol": z.string(),
        "05. price": decimal,
        "07. latest trading day": z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      }),
      z.object({}).strict(),
    ]),
  }),
);

/** `function=NEWS_SENTIMENT`. */
export const NewsSentiment = z.lazy(() =>
  z.object({
    feed: listOf(
      z.object({
        title: z.string(),
        url: z.string(),
        time_published: z.string().regex(/^\d{8}T\d{4}(\d{2})?$/),
        authors: listOf(z.string()).optional(),
        summary: z.string().optional(),
        source: z.string(),
        overall_sentiment_score: z.number(),
        ticker_sentiment: listOf(
          z.object({
            ticker: z.string(),
            relevance_score: decimal,
            ticker_sentiment_score: decimal,
          }),
        ).optional(),
      }),
    ),
  }),
);

/** One NEWS_SENTIMENT item. */
export type FeedItem = z.infer<typeof NewsSentiment>["feed"][number];
