/**
 * Sentiment aggregated from provider rows (src/providers/sentimentRows.ts),
 * against fakes replaying a probe's hostile rows: a row off its published
 * scale is a bad_response, not a clamped Bullish; rows outside the three-day
 * window do not count.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import {
  AlphaVantageProvider,
  FinnhubProvider,
  isProviderError,
} from "../../src/providers/index.ts";
import { finnhubRowTime, inSentimentWindow } from "../../src/providers/sentimentRows.ts";
import { startFake } from "./fakes/fakeServer.ts";
import { alphaVantageRoutes, finnhubRoutes } from "./fakes/payloads.ts";

const NOW = Date.parse("2024-01-03T15:00:00Z");
const clock = new ManualClock(NOW);
const signal = new AbortController().signal;
const finnhubFake = startFake(finnhubRoutes({ legacy: false }));
const avFake = startFake(alphaVantageRoutes);
afterAll(async () => {
  await Promise.all([finnhubFake.stop(), avFake.stop()]);
});
const finnhub = new FinnhubProvider({ apiKey: "k", baseUrl: finnhubFake.url, clock });
const av = new AlphaVantageProvider({ apiKey: "k", baseUrl: avFake.url, clock });
const kindOf = (p: Promise<unknown>) =>
  p.then(
    () => "served",
    (e: unknown) => (isProviderError(e) ? e.kind : "error"),
  );

const row = (over: Record<string, unknown> = {}) => ({
  atTime: "2024-01-02 10:00:00",
  mention: 1000,
  positiveMention: 0,
  negativeMention: 900,
  score: -0.9,
  ...over,
});

describe("finnhub social sentiment", () => {
  const withRows = async <T>(rows: unknown[], run: () => Promise<T>): Promise<T> => {
    finnhubFake.fault = { kind: "body", body: { symbol: "TSLA", data: rows } };
    try {
      return await run();
    } finally {
      finnhubFake.fault = undefined;
    }
  };

  test("one row off its scale does not outvote 900 negative mentions: bad_response", async () => {
    for (const bad of [
      { mention: 10, score: 1e308 },
      { mention: 1, score: 2000 },
      { mention: -5, score: 1 },
      { mention: 0.4, score: 1 },
      { positiveMention: -1 },
      { negativeMention: 1e308 },
    ]) {
      const kind = await withRows([row(), row(bad)], () =>
        kindOf(finnhub.sentiment("TSLA", signal)),
      );
      expect([bad, kind]).toEqual([bad, "bad_response"]);
    }
  });

  test("rows outside the window, or with an unreadable time, do not count", async () => {
    const served = await withRows(
      [
        row(),
        row({ atTime: "1999-01-01 00:00:00", mention: 100, negativeMention: 0, score: 1 }),
        row({ atTime: "x", mention: 100, negativeMention: 0, score: 1 }),
        row({ atTime: "2024-02-30 10:00:00", mention: 100, negativeMention: 0, score: 1 }),
      ],
      () => finnhub.sentiment("TSLA", signal),
    );
    expect(served).toMatchObject({ mentions: 1000, negative_mentions: 900, label: "Bearish" });
  });

  test("every row time unreadable (a changed format) is a bad_response, not a fresh Neutral", async () => {
    const rows = ["2024-01-02T10:00:00Z", "2024-01-02 10:00:00.000"].map((atTime) =>
      row({ atTime }),
    );
    const kind = await withRows(rows, () => kindOf(finnhub.sentiment("TSLA", signal)));
    expect(kind).toBe("bad_response");
    // No rows at all is a real "no mentions".
    const none = await withRows([], () => finnhub.sentiment("TSLA", signal));
    expect(none).toMatchObject({ mentions: 0, label: "Neutral" });
  });
});

describe("alpha vantage news sentiment", () => {
  const feedItem = (over: Record<string, unknown>, ticker: Record<string, unknown> = {}) => ({
    title: "IBM news",
    url: "https://example.com/ibm",
    time_published: "20240102T170245",
    source: "Example",
    overall_sentiment_score: -0.5,
    ticker_sentiment: [
      { ticker: "IBM", relevance_score: "0.9", ticker_sentiment_score: "-0.9", ...ticker },
    ],
    ...over,
  });
  const withFeed = async <T>(feed: unknown[], run: () => Promise<T>): Promise<T> => {
    avFake.fault = { kind: "body", body: { items: String(feed.length), feed } };
    try {
      return await run();
    } finally {
      avFake.fault = undefined;
    }
  };

  test("a score or relevance off its scale is a bad_response, not Bullish", async () => {
    for (const ticker of [
      { ticker_sentiment_score: `1${"0".repeat(400)}` },
      { ticker_sentiment_score: "2" },
      { relevance_score: "-3" },
      { relevance_score: "7" },
    ]) {
      const kind = await withFeed([feedItem({}), feedItem({}, ticker)], () =>
        kindOf(av.sentiment("IBM", signal)),
      );
      expect([ticker, kind]).toEqual([ticker, "bad_response"]);
    }
  });

  test("items published outside the window do not count", async () => {
    const served = await withFeed(
      [
        feedItem({}),
        feedItem(
          { time_published: "19990101T000000" },
          { relevance_score: "1", ticker_sentiment_score: "0.9" },
        ),
      ],
      () => av.sentiment("IBM", signal),
    );
    expect(served).toMatchObject({ score: -0.9, mentions: 1, label: "Bearish" });
  });

  test("a news item whose overall score is off the scale has no sentiment, not a clamped label", async () => {
    const news = await withFeed([feedItem({ overall_sentiment_score: 5 })], () =>
      av.news({ symbols: ["IBM"], start: NOW - 7 * 86_400_000, end: NOW, limit: 10 }, signal),
    );
    expect(news.map((n) => [n.sentiment, n.sentiment_label])).toEqual([[null, null]]);
  });
});

test("the window starts on the first UTC day asked for and ends a day past now", () => {
  const start = Date.parse("2023-12-31T15:00:00Z");
  const at = (text: string) => inSentimentWindow(Date.parse(text), start, NOW);
  expect(at("2023-12-31T00:00:00Z")).toBe(true);
  expect(at("2023-12-30T23:59:59Z")).toBe(false);
  expect(at("2024-01-04T15:00:00Z")).toBe(true);
  expect(at("2024-01-04T15:00:01Z")).toBe(false);
  expect(inSentimentWindow(Number.NaN, start, NOW)).toBe(false);
  expect(finnhubRowTime("2024-01-02 10:00:00")).toBe(Date.parse("2024-01-02T10:00:00Z"));
  expect(finnhubRowTime("2024-01-02 10:00:00+05:00")).toBeNaN();
});
