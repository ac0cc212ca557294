/**
 * What a provider may say and still be served (src/providers/plausible.ts),
 * rule by rule; the same rules through the adapters: plausibleAdapters.test.ts.
 */
import { heapStats } from "bun:jsc";
import { describe, expect, test } from "bun:test";
import type { NewsItem, Quote } from "../../src/providers/index.ts";
import {
  boundedNewsItem,
  checkedQuote,
  providerIsoTime,
  withPlausibleExtras,
} from "../../src/providers/plausible.ts";
import { normaliseTime } from "../../src/providers/shape.ts";

const NOW = Date.parse("2024-01-03T15:00:00Z");
/** A news item as an adapter hands it over, with `over` in place. */
const newsItem = (over: Partial<NewsItem>): NewsItem => ({
  id: "1",
  headline: "h",
  summary: "",
  author: null,
  source: "wire",
  url: null,
  symbols: [],
  created_at: "2024-01-02T05:00:00Z",
  updated_at: "2024-01-02T05:00:00Z",
  sentiment: null,
  sentiment_label: null,
  ...over,
});
describe("rules", () => {
  const quote: Quote = {
    symbol: "AAPL",
    timestamp: "2024-01-03T14:59:00Z",
    price: 10,
    bid: 9.99,
    ask: 10.01,
    bid_size: 3,
    ask_size: 4,
  };
  test("a quote from before 1970 or more than a day ahead, or priced Infinity, is a bad_response", () => {
    for (const bad of [
      { timestamp: "1969-12-31T23:59:59Z" },
      // Epoch 0 is an unset time (Finnhub's `t: 0`), not a quote from 1970.
      { timestamp: "1970-01-01T00:00:00Z" },
      { timestamp: "2024-01-05T15:00:01Z" },
      { timestamp: "" },
      { price: Number.POSITIVE_INFINITY },
      { price: 0 },
    ]) {
      expect(() => checkedQuote("p", { ...quote, ...bad }, NOW)).toThrow("unexpected quote shape");
    }
    expect(checkedQuote("p", quote, NOW)).toEqual(quote);
  });
  test("sizes that are not counts become null; a size without its side stays null", () => {
    const odd = checkedQuote("p", { ...quote, bid_size: -7, ask_size: 1e300 }, NOW);
    expect([odd.bid_size, odd.ask_size]).toEqual([null, null]);
    expect(checkedQuote("p", { ...quote, bid: null, bid_size: 5 }, NOW).bid_size).toBeNull();
  });
  test("a bar's trade count must be a whole count and its average price within the bar", () => {
    const bar = { t: "2024-01-02T05:00:00Z", o: 1, h: 2, l: 1, c: 2, v: 10, n: 3, vw: 1.5 };
    expect(withPlausibleExtras(bar)).toBe(bar);
    expect(withPlausibleExtras({ ...bar, n: -3, vw: -5 })).toMatchObject({ n: null, vw: null });
    expect(withPlausibleExtras({ ...bar, n: 0.5, vw: Number.NaN })).toMatchObject({
      n: null,
      vw: null,
    });
    expect(withPlausibleExtras({ ...bar, vw: 1e308 }).vw).toBeNull();
    expect(withPlausibleExtras({ ...bar, vw: 0.5 }).vw).toBeNull();
    // A hair outside (trades the OHLC leaves out) stays.
    expect(withPlausibleExtras({ ...bar, vw: 2.01 }).vw).toBe(2.01);
  });

  test("cut news text does not keep the provider's whole string alive", () => {
    Bun.gc(true);
    const before = heapStats().extraMemorySize;
    const kept: NewsItem[] = [];
    for (let i = 0; i < 10; i++) {
      // A fresh 8 MB string each time, as JSON.parse makes from a provider body.
      const summary = JSON.parse(JSON.stringify(`${"x".repeat(8_000_000)}${i}`)) as string;
      kept.push(boundedNewsItem(newsItem({ id: String(i), summary })));
    }
    Bun.gc(true);
    // Slices would hold 10 × 8 MB; copies hold 10 × 2 000 characters.
    expect(heapStats().extraMemorySize - before).toBeLessThan(20_000_000);
    expect(kept.every((k) => k.summary.length === 2_000)).toBe(true);
  });
  test("news text is cut, a huge URL dropped, symbols kept only when the API could ask for them", () => {
    const item = newsItem({
      headline: "h".repeat(10_000),
      summary: `${"s".repeat(1_999)}😀tail`,
      author: "a".repeat(1_000),
      url: `https://example.com/${"x".repeat(100_000)}`,
      symbols: ["AAPL", "AAPL", "<b>", "", "aapl", "CRYPTO:BTC", ...Array(100).fill("IBM")],
    });
    const bounded = boundedNewsItem(item);
    expect(bounded.headline).toHaveLength(500);
    // Not cut inside the emoji's surrogate pair.
    expect(bounded.summary).toBe("s".repeat(1_999));
    expect(bounded.author).toHaveLength(200);
    expect(bounded.url).toBeNull();
    expect(bounded.symbols).toEqual(["AAPL", "IBM"]);
  });
  test("lone surrogates in news text become U+FFFD, so strict JSON parsers read the answer", () => {
    const item = newsItem({
      headline: "\ud800 x",
      summary: `${"s".repeat(1_999)}\udc00tail`,
      author: "\udbff",
      source: "ok 😀",
    });
    const bounded = boundedNewsItem(item);
    expect([bounded.headline, bounded.summary, bounded.author, bounded.source]).toEqual([
      "\ufffd x",
      `${"s".repeat(1_999)}\ufffd`,
      "\ufffd",
      "ok 😀",
    ]);
    expect(JSON.stringify(bounded)).not.toMatch(/\\ud[89a-f]/i);
  });
  test("provider times: RFC 3339 only, within what Date can hold", () => {
    expect(normaliseTime("2022-03-18T14:02:43.651234567Z")).toBe("2022-03-18T14:02:43.651Z");
    expect(normaliseTime("2022-03-18T10:02:43-04:00")).toBe("2022-03-18T14:02:43Z");
    for (const lenient of [
      "1",
      "+275760-09-13T00:00:00Z",
      "2022-03-18",
      "Tue 2 12",
      "2022-13-45T00:00:00Z",
      // Days that do not exist: Date.parse rolls them into the next month.
      "2024-02-30T10:00:00Z",
      "2023-02-29T10:00:00Z",
      "2024-04-31T00:00:00Z",
      "2024-01-01T24:00:00Z",
      "2024-01-01T10:60:00Z",
    ]) {
      expect(normaliseTime(lenient)).toBe("");
    }
    expect(normaliseTime("2024-02-29T10:00:00Z")).toBe("2024-02-29T10:00:00Z");
    expect(providerIsoTime(1e300)).toBe("");
    expect(providerIsoTime(-1000)).toBe("");
    expect(providerIsoTime(Number.NaN)).toBe("");
    expect(providerIsoTime(1_704_290_400_000)).toBe("2024-01-03T14:00:00Z");
  });
});
