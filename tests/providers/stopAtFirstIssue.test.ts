/**
 * Provider payload lists and maps stop at their first bad element: a body of
 * many bad items costs what its first bad item costs (one issue), not one
 * issue per problem (a probe's 13 KB of gzip made four million).
 */
import { expect, test } from "bun:test";
import { z } from "zod";
import { BarsPage, NewsPage } from "../../src/providers/alpaca/schemas.ts";
import { DailySeries } from "../../src/providers/alphavantage/schemas.ts";
import { SocialSentiment } from "../../src/providers/finnhub/schemas.ts";
import { parseShape } from "../../src/providers/shape.ts";
import { listOf, mapOf } from "../../src/providers/stopAtFirstIssue.ts";

const bar = { t: "2026-01-02T14:30:00Z", o: 1, h: 2, l: 0.5, c: 1.5, v: 100 };
const many = <T>(n: number, make: () => T): T[] => Array.from({ length: n }, make);

test("200 000 empty bars after a good one: one issue, at the first bad bar", () => {
  const result = BarsPage.safeParse({ bars: { AAPL: [bar, ...many(200_000, () => ({}))] } });
  expect(result.success).toBe(false);
  expect(result.error?.issues).toHaveLength(1);
  expect(result.error?.issues[0]?.path).toEqual(["bars", "AAPL", 1, "t"]);
  expect(() => parseShape("alpaca", BarsPage, { bars: { AAPL: [{}, {}] } }, "bars")).toThrow(
    "unexpected bars shape at bars.AAPL.0.t",
  );
});

test("a map of 200 000 bad entries is one issue too (the bars envelope itself)", () => {
  const bars = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, 1]));
  const result = BarsPage.safeParse({ bars });
  expect(result.error?.issues).toHaveLength(1);
  expect(result.error?.issues[0]?.path).toEqual(["bars", "<key>"]); // lower case: not a symbol
  expect(BarsPage.parse({ bars: null }).bars).toBeNull();
});

test("nested lists stop too: a news item's 200 000 wrong symbols are one issue", () => {
  const item = {
    id: 1,
    headline: "h",
    created_at: "2026-01-02T14:30:00Z",
    updated_at: "2026-01-02T14:30:00Z",
    symbols: many(200_000, () => 7),
    source: "s",
  };
  const result = NewsPage.safeParse({ news: [item] });
  expect(result.error?.issues).toHaveLength(1);
  expect(result.error?.issues[0]?.path).toEqual(["news", 0, "symbols", 0]);
});

test("maps stop at their first bad key or value; every key stays an own entry", () => {
  const series = Object.fromEntries(many(50_000, () => 0).map((_, i) => [`not-a-date-${i}`, {}]));
  const bad = DailySeries.safeParse({
    "Meta Data": { "2. Symbol": "IBM" },
    "Time Series (Daily)": series,
  });
  expect(bad.error?.issues).toHaveLength(1);
  expect(bad.error?.issues[0]?.path).toEqual(["Time Series (Daily)", "<key>"]);

  const parsed = mapOf(z.string(), z.number()).parse(JSON.parse('{"__proto__": 1, "a": 2}'));
  expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  expect(Object.keys(parsed)).toEqual(["__proto__", "a"]);
  expect(mapOf(z.string(), z.number()).safeParse([1]).success).toBe(false);
});

test("good values parse as before, transforms and unions included", () => {
  expect(listOf(z.string().transform(Number)).parse(["1", "2"])).toEqual([1, 2]);
  expect(listOf(z.number()).safeParse({ 0: 1 }).success).toBe(false);
  const row = {
    atTime: "2026-01-02 00:00:00",
    mention: 1,
    positiveMention: 1,
    negativeMention: 0,
    score: 0.5,
  };
  expect(SocialSentiment.parse({ reddit: [row], twitter: [] })).toEqual({
    reddit: [row],
    twitter: [],
  });
  expect(BarsPage.parse({ bars: { AAPL: [bar] }, next_page_token: null }).bars?.AAPL).toEqual([
    bar,
  ]);
});

test("a map's key is the provider's data: never in the error path, message or log", () => {
  const key = `echo APCA-API-SECRET-KEY=LEAKED\u001b[31m${"K".repeat(100_000)}`;
  const quotes = mapOf(z.string(), z.object({ bp: z.number() }));
  const run = (body: unknown) => () => parseShape("alpaca", quotes, body, "quotes");
  for (const body of [{ [key]: { bp: "x" } }, { [key]: 1 }]) {
    expect(run(body)).toThrow("unexpected quotes shape at <key>");
  }
  // Symbols and dates name themselves: the path still says where.
  expect(run({ "BRK.B": { bp: "x" } })).toThrow("unexpected quotes shape at BRK.B.bp");
  const refused = mapOf(z.string().regex(/^\d{4}-\d{2}-\d{2}$/), z.number());
  expect(() => parseShape("alphavantage", refused, { [key]: 1 }, "daily series")).toThrow(
    /at <key>$/,
  );
});
