/**
 * Large answers are written a slice at a time (src/http/routes/slicedJson.ts):
 * the text is exactly `JSON.stringify`'s, and other work runs between slices.
 */
import { expect, test } from "bun:test";
import { Hono } from "hono";
import { slicedJson, slicedJsonResponse } from "../../src/http/routes/slicedJson.ts";

const bar = (i: number) => ({
  t: `2024-01-01T00:${String(i % 60).padStart(2, "0")}:00Z`,
  o: i / 3,
  n: null,
});

test("the text is JSON.stringify's, whatever the list's length and the keys around it", async () => {
  for (const length of [0, 1, 999, 1_000, 1_001, 2_000, 10_000]) {
    const bars = Array.from({ length }, (_, i) => bar(i));
    for (const body of [
      { bars },
      { symbol: "AAPL", bars },
      { bars, next: null, skipped: undefined },
      { symbol: 'Ä\u2028"q"', timeframe: "1Min", bars, next_start: null, source: "simulated" },
    ]) {
      expect(await slicedJson(body, "bars")).toBe(JSON.stringify(body));
    }
  }
  // Holes and undefined items become null, as JSON writes them, across a slice boundary too.
  const odd = { list: [1, undefined, 3, () => 4, 5] };
  expect(await slicedJson(odd, "list", 2)).toBe(JSON.stringify(odd));
  expect(await slicedJson({ a: 1 }, "missing")).toBe('{"a":1}');
});

test("other work gets a turn of the loop between slices", async () => {
  const turns: number[] = [];
  let written = false;
  const tick = () => {
    if (written) return;
    turns.push(turns.length);
    setImmediate(tick);
  };
  setImmediate(tick);
  const text = await slicedJson({ bars: Array.from({ length: 5_000 }, (_, i) => bar(i)) }, "bars");
  written = true;
  expect(JSON.parse(text).bars).toHaveLength(5_000);
  // Five slices: at least four turns in between, where one JSON.stringify gave none.
  expect(turns.length).toBeGreaterThanOrEqual(4);
});

test("what is not plain data is written in one piece, exactly as JSON.stringify writes it", async () => {
  const bars = Array.from({ length: 5 }, (_, i) => bar(i));
  const listWithToJson = Object.assign([...bars], { toJSON: () => "list" });
  class Answer {
    symbol = "AAPL";
    get bars() {
      return bars;
    }
  }
  const bodies: Record<string, unknown>[] = [
    { bars, toJSON: () => ({ x: 1 }) },
    { bars: listWithToJson },
    JSON.parse(`{"__proto__":{"a":1},"bars":${JSON.stringify(bars)},"z":2}`),
    new Answer() as unknown as Record<string, unknown>,
    Object.defineProperty({ symbol: "AAPL" }, "bars", { value: bars, enumerable: false }),
  ];
  for (const body of bodies) expect(await slicedJson(body, "bars", 2)).toBe(JSON.stringify(body));
});

test("the answer is the JSON text with the JSON content type", async () => {
  const body = { symbol: "AAPL", bars: Array.from({ length: 2_500 }, (_, i) => bar(i)) };
  const app = new Hono().get("/bars", (c) => slicedJsonResponse(c, body, "bars"));
  const get = await app.request("/bars");
  expect([get.status, get.headers.get("content-type")]).toEqual([200, "application/json"]);
  expect(await get.text()).toBe(JSON.stringify(body));
});
