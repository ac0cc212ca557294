/** The per-second quote memo answers exactly what the simulator computes, and stays bounded. */
import { expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import { SimulatedProvider } from "../../src/providers/index.ts";
import { symbolParams } from "../../src/providers/simulator/index.ts";
import { simulatedQuote } from "../../src/providers/simulator/quote.ts";
import { QuoteMemo } from "../../src/providers/simulator/quoteMemo.ts";

const signal = new AbortController().signal;
const START = Date.parse("2024-03-15T14:29:58Z"); // across the session open, a minute and a second

test("through the memo, every millisecond's quote equals a fresh computation", async () => {
  const clock = new ManualClock(START);
  const provider = new SimulatedProvider({ seed: 11, clock });
  for (let step = 0; step < 400; step++) {
    clock.set(START + step * 317);
    for (const symbol of ["AAPL", "IBM"]) {
      const direct = simulatedQuote(symbolParams(11, symbol), clock.now());
      expect(await provider.latestQuote(symbol, signal)).toEqual(
        direct as NonNullable<typeof direct>,
      );
    }
  }
});

test("the quote changes at the second boundary, not within the second", () => {
  const memo = new QuoteMemo();
  const params = () => symbolParams(5, "NVDA");
  const t = Date.parse("2024-03-15T18:00:00Z");
  let built = 0;
  const counted = () => {
    built++;
    return params();
  };
  const first = memo.quote("NVDA", t, counted);
  expect(memo.quote("NVDA", t + 999, counted)).toBe(first);
  expect(built).toBe(1);
  const next = memo.quote("NVDA", t + 1000, counted);
  expect(built).toBe(2);
  expect(next).toEqual(simulatedQuote(params(), t + 1000) as NonNullable<typeof next>);
  expect(Object.isFrozen(next)).toBe(true);
});

test("any number of distinct symbols keeps the memo bounded", () => {
  const memo = new QuoteMemo(64);
  const t = Date.parse("2024-03-15T18:00:00Z");
  for (let i = 0; i < 1_000; i++) {
    const symbol = `S${i}`;
    memo.quote(symbol, t, () => symbolParams(1, symbol));
    expect(memo.size).toBeLessThanOrEqual(64);
  }
});
