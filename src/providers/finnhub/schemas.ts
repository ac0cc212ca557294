/**
 * Finnhub wire shapes (trading.md §2). Social sentiment arrives in two
 * envelopes — `{symbol, data}` and the legacy `{symbol, reddit, twitter}` —
 * and both are accepted.
 * Each shape is built on its first parse (`z.lazy`), not at import: a server
 * without this provider configured never needs them (start-up time).
 * @module
 */
import { z } from "zod";
import { listOf } from "../stopAtFirstIssue.ts";

/** `GET /quote`. */
export const FinnhubQuote = z.lazy(() =>
  z.object({
    c: z.number(),
    d: z.number().nullable().optional(),
    dp: z.number().nullable().optional(),
    h: z.number(),
    l: z.number(),
    o: z.number(),
    pc: z.number(),
    t: z.number(),
  }),
);

/** `GET /company-news`. */
export const CompanyNews = z.lazy(() =>
  listOf(
    z.object({
      category: z.string().optional(),
      datetime: z.number(),
      headline: z.string(),
      id: z.number(),
      image: z.string().optional(),
      related: z.string().optional(),
      source: z.string(),
      summary: z.string().optional(),
      url: z.string().optional(),
    }),
  ),
);

const Row = z.lazy(() =>
  z.object({
    atTime: z.string(),
    mention: z.number(),
    positiveMention: z.number(),
    negativeMention: z.number(),
    positiveScore: z.number().optional(),
    negativeScore: z.number().optional(),
    score: z.number(),
  }),
);

/** One sentiment row. */
export type SentimentRow = z.infer<typeof Row>;

/** `GET /stock/social-sentiment`, either envelope. */
export const SocialSentiment = z.lazy(() =>
  z.union([
    z.object({ symbol: z.string().optional(), data: listOf(Row) }),
    z.object({ symbol: z.string().optional(), reddit: listOf(Row), twitter: listOf(Row) }),
  ]),
);
