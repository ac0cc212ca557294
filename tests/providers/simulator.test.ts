/** The simulator: deterministic per seed, plausible, consistent across timeframes. */
import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import type { Bar, Timeframe } from "../../src/providers/index.ts";
import { SimulatedProvider } from "../../src/providers/index.ts";
import { hashString } from "../../src/providers/simulator/random.ts";

const NOW = Date.parse("2024-03-15T18:00:00Z"); // a Friday, mid-session
const signal = new AbortController().signal;
const sim = (seed: number, now = NOW) =>
  new SimulatedProvider({ seed, clock: new ManualClock(now) });
const bars = (
  p: SimulatedProvider,
  timeframe: Timeframe,
  start: string,
  end: string,
  symbol = "AAPL",
) =>
  p.bars(
    symbol,
    { timeframe, start: Date.parse(start), end: Date.parse(end), limit: 10_000 },
    signal,
  );

describe("determinism", () => {
  test("same seed gives identical answers; another seed differs", async () => {
    const a = await bars(sim(7), "5Min", "2024-03-11T00:00:00Z", "2024-03-13T00:00:00Z");
    const b = await bars(sim(7), "5Min", "2024-03-11T00:00:00Z", "2024-03-13T00:00:00Z");
    const c = await bars(sim(8), "5Min", "2024-03-11T00:00:00Z", "2024-03-13T00:00:00Z");
    expect(a.length).toBe(156);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(await sim(7).latestQuote("MSFT", signal)).toEqual(
      await sim(7).latestQuote("MSFT", signal),
    );
  });

  test("answers do not depend on request order or on earlier requests", async () => {
    const warm = sim(3);
    await bars(warm, "1Min", "2024-03-12T00:00:00Z", "2024-03-13T00:00:00Z", "NVDA");
    const later = await bars(warm, "1Hour", "2024-03-01T00:00:00Z", "2024-03-14T00:00:00Z", "NVDA");
    const cold = await bars(
      sim(3),
      "1Hour",
      "2024-03-01T00:00:00Z",
      "2024-03-14T00:00:00Z",
      "NVDA",
    );
    expect(later).toEqual(cold);
  });

  test("a symbol crafted to collide with AAPL's key takes over neither its prices nor its news ids", async () => {
    expect(hashString("YBX0AAAMS")).toBe(hashString("AAPL")); // a 32-bit FNV-1a collision
    const range = ["2015-06-01T00:00:00Z", "2015-06-06T00:00:00Z"] as const;
    const script = `
      import { SimulatedProvider } from "${import.meta.dir}/../../src/providers/index.ts";
      const p = new SimulatedProvider({ seed: 5, clock: { now: () => ${NOW} } });
      const b = await p.bars("AAPL", { timeframe: "1Day", start: ${Date.parse(range[0])}, end: ${Date.parse(range[1])}, limit: 10 }, new AbortController().signal);
      process.stdout.write(JSON.stringify(b));`;
    const child = Bun.spawnSync(["bun", "-e", script], { stdout: "pipe", stderr: "pipe" });
    expect(child.exitCode).toBe(0);
    const here = sim(5);
    await bars(here, "1Min", range[0], range[1], "YBX0AAAMS");
    await bars(here, "1Day", range[0], range[1], "YBX0AAAMS");
    expect(await bars(here, "1Day", range[0], range[1])).toEqual(
      JSON.parse(child.stdout.toString()),
    );
    const news = await here.news(
      {
        symbols: ["AAPL", "YBX0AAAMS"],
        start: Date.parse("2015-01-01T00:00:00Z"),
        end: Date.parse("2016-01-01T00:00:00Z"),
        limit: 50,
      },
      signal,
    );
    expect(new Set(news.map((n) => n.id)).size).toBe(news.length);
  });

  test("a separate process (a restart) produces the same bars", async () => {
    const script = `
      import { SimulatedProvider } from "${import.meta.dir}/../../src/providers/index.ts";
      const p = new SimulatedProvider({ seed: 11, clock: { now: () => ${NOW} } });
      const b = await p.bars("IBM", { timeframe: "15Min", start: ${Date.parse("2024-03-04T00:00:00Z")}, end: ${NOW}, limit: 50 }, new AbortController().signal);
      process.stdout.write(JSON.stringify(b));`;
    const child = Bun.spawnSync(["bun", "-e", script], { stdout: "pipe", stderr: "pipe" });
    expect(child.exitCode).toBe(0);
    const here = await sim(11).bars(
      "IBM",
      { timeframe: "15Min", start: Date.parse("2024-03-04T00:00:00Z"), end: NOW, limit: 50 },
      signal,
    );
    expect(JSON.parse(child.stdout.toString())).toEqual(here);
  });
});

const plausible = (list: Bar[]) => {
  for (const b of list) {
    expect(b.l).toBeGreaterThan(0);
    expect(b.h).toBeGreaterThanOrEqual(Math.max(b.o, b.c));
    expect(b.l).toBeLessThanOrEqual(Math.min(b.o, b.c));
    expect(b.v).toBeGreaterThan(0);
    expect(b.vw as number).toBeGreaterThanOrEqual(b.l);
    expect(b.vw as number).toBeLessThanOrEqual(b.h);
  }
};

describe("plausibility", () => {
  test("OHLC invariants hold for many symbols and timeframes", async () => {
    for (const symbol of ["AAPL", "ZZZZ", "BRK.B", "X"]) {
      plausible(await bars(sim(1), "1Min", "2024-03-14T00:00:00Z", "2024-03-15T00:00:00Z", symbol));
      plausible(await bars(sim(1), "1Day", "2023-01-01T00:00:00Z", "2024-03-15T00:00:00Z", symbol));
    }
  });

  test("5Min and 1Day bars are exact aggregates of 1Min bars", async () => {
    const p = sim(5);
    const minutes = await bars(p, "1Min", "2024-03-14T00:00:00Z", "2024-03-14T23:59:59Z");
    const fives = await bars(p, "5Min", "2024-03-14T00:00:00Z", "2024-03-14T23:59:59Z");
    const day = await bars(p, "1Day", "2024-03-14T00:00:00Z", "2024-03-14T23:59:59Z");
    expect(minutes.length).toBe(390);
    expect(fives.length).toBe(78);
    const first5 = minutes.slice(0, 5);
    expect(fives[0]).toMatchObject({
      t: "2024-03-14T13:30:00Z",
      o: first5[0]?.o,
      c: first5[4]?.c,
      h: Math.max(...first5.map((b) => b.h)),
      l: Math.min(...first5.map((b) => b.l)),
      v: first5.reduce((s, b) => s + b.v, 0),
    });
    expect(day).toHaveLength(1);
    expect(day[0]).toMatchObject({
      t: "2024-03-14T04:00:00Z", // New York midnight (EDT)
      o: minutes[0]?.o,
      c: minutes[389]?.c,
      h: Math.max(...minutes.map((b) => b.h)),
      l: Math.min(...minutes.map((b) => b.l)),
      v: minutes.reduce((s, b) => s + b.v, 0),
    });
  });

  test("volume is U-shaped: open and close busier than midday", async () => {
    const minutes = await bars(
      sim(2),
      "1Min",
      "2024-03-01T00:00:00Z",
      "2024-03-14T23:59:59Z",
      "MSFT",
    );
    const by = (m: number) => minutes.filter((_, i) => i % 390 === m).reduce((s, b) => s + b.v, 0);
    expect(by(0)).toBeGreaterThan(by(195));
    expect(by(389)).toBeGreaterThan(by(195));
  });

  test("no bars on weekends and NYSE holidays, none from the future", async () => {
    const weekend = await bars(sim(1), "1Min", "2024-03-16T00:00:00Z", "2024-03-17T23:59:59Z");
    expect(weekend).toEqual([]);
    const goodFriday = await bars(
      sim(1, Date.parse("2024-04-05T00:00:00Z")),
      "1Day",
      "2024-03-28T00:00:00Z",
      "2024-04-02T00:00:00Z",
    );
    expect(goodFriday.map((b) => b.t)).toEqual(["2024-03-28T04:00:00Z", "2024-04-01T04:00:00Z"]);
    const today = await bars(sim(1), "1Min", "2024-03-15T00:00:00Z", "2024-03-16T00:00:00Z");
    expect(today.at(-1)?.t).toBe("2024-03-15T17:59:00Z");
  });

  test("quotes: bid < ask around the path; after the close the closing book", async () => {
    const q = await sim(9).latestQuote("AAPL", signal);
    expect(q.bid as number).toBeLessThan(q.ask as number);
    expect(q.price).toBeGreaterThan(0);
    const saturday = await sim(9, Date.parse("2024-03-16T12:00:00Z")).latestQuote("AAPL", signal);
    const close = await bars(
      sim(9, Date.parse("2024-03-16T12:00:00Z")),
      "1Day",
      "2024-03-15T00:00:00Z",
      "2024-03-15T23:00:00Z",
    );
    expect(saturday.timestamp).toBe("2024-03-15T20:00:00Z");
    expect(Math.abs(saturday.price - (close[0]?.c as number))).toBeLessThan(0.011);
  });

  test("news follows price jumps: sentiment sign matches the session move", async () => {
    const p = sim(4);
    const items = await p.news(
      {
        symbols: ["AAPL", "MSFT", "NVDA"],
        start: Date.parse("2023-06-01T00:00:00Z"),
        end: NOW,
        limit: 50,
      },
      signal,
    );
    const jumps = items.filter((i) => Math.abs(i.sentiment ?? 0) >= 0.15);
    expect(jumps.length).toBeGreaterThan(5);
    for (const item of jumps) {
      const day = item.created_at.slice(0, 10);
      const [bar] = await bars(p, "1Day", `${day}T00:00:00Z`, `${day}T23:59:59Z`, item.symbols[0]);
      expect(Math.sign((bar?.c as number) - (bar?.o as number))).toBe(
        Math.sign(item.sentiment as number),
      );
    }
    const sentiment = await p.sentiment("AAPL", signal);
    expect(sentiment.mentions).toBeGreaterThan(0);
    expect(sentiment.score).toBeGreaterThanOrEqual(-1);
  });
});
