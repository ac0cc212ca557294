/** Bars and news from any adapter: in range, first of each id, in order, at most limit. */
import { expect, test } from "bun:test";
import { orderedBars, orderedNews } from "../../src/providers/ordering.ts";
import type { Bar, NewsItem } from "../../src/providers/types.ts";

const bar = (t: string, c = 1): Bar => ({ t, o: c, h: c, l: c, c, v: 1, n: null, vw: null });
const item = (id: string, created_at: string): NewsItem => ({
  id,
  headline: id,
  summary: "",
  author: null,
  source: "test",
  url: null,
  symbols: [],
  created_at,
  updated_at: created_at,
  sentiment: null,
  sentiment_label: null,
});
const T = (s: string) => Date.parse(s);

test("bars: unsorted, duplicated, out of range and unparseable in; ascending and clean out", () => {
  const out = orderedBars(
    [
      bar("2024-01-03T00:00:00Z", 3),
      bar("2024-01-01T00:00:00.500Z", 1),
      bar("2024-01-03T00:00:00Z", 9),
      bar("2023-12-31T00:00:00Z"),
      bar("garbage"),
      bar("2024-01-02T00:00:00Z", 2),
    ],
    T("2024-01-01T00:00:00Z"),
    T("2024-01-03T00:00:00Z"),
    10,
  );
  expect(out.map((b) => b.c)).toEqual([1, 2, 3]);
});

test("bars, latest: the last `limit` after ordering (newest-first pages in), still ascending", () => {
  const bars = ["2024-01-04", "2024-01-03", "2024-01-03", "2024-01-02", "2024-01-01"].map((d, i) =>
    bar(`${d}T00:00:00Z`, 10 - i),
  );
  const range = [T("2024-01-01T00:00:00Z"), T("2024-01-04T00:00:00Z")] as const;
  expect(orderedBars(bars, ...range, 2, true).map((b) => b.t.slice(0, 10))).toEqual([
    "2024-01-03",
    "2024-01-04",
  ]);
  // The first one seen of a time wins, as without `latest`.
  expect(orderedBars(bars, ...range, 3, true).map((b) => b.c)).toEqual([7, 9, 10]);
  expect(orderedBars(bars, ...range, 2).map((b) => b.t.slice(0, 10))).toEqual([
    "2024-01-01",
    "2024-01-02",
  ]);
});

test("news: newest first, one per id, the limit after ordering", () => {
  const out = orderedNews(
    [
      item("a", "2024-01-01T10:00:00Z"),
      item("b", "2024-01-01T12:00:00Z"),
      item("a", "2024-01-01T13:00:00Z"),
      item("c", "2024-01-01T11:00:00Z"),
    ],
    0,
    T("2025-01-01T00:00:00Z"),
    2,
  );
  expect(out.map((n) => n.id)).toEqual(["b", "c"]);
});

test("bars that cannot be real are dropped: non-positive or infinite prices, high below low, negative volume", () => {
  const good = bar("2024-01-01T00:00:00Z", 5);
  const out = orderedBars(
    [
      good,
      { ...bar("2024-01-01T00:01:00Z"), o: -1 },
      { ...bar("2024-01-01T00:02:00Z"), h: 0.5, l: 2 },
      { ...bar("2024-01-01T00:03:00Z"), c: Number.POSITIVE_INFINITY },
      { ...bar("2024-01-01T00:04:00Z"), v: -3 },
    ],
    0,
    T("2025-01-01T00:00:00Z"),
    10,
  );
  expect(out).toEqual([good]);
});
