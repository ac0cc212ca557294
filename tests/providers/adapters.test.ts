/** The Alpaca and Finnhub adapters against fake servers replaying documented payloads and faults (Alpha Vantage: alphaVantage.test.ts). */
import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import { AlpacaProvider, FinnhubProvider } from "../../src/providers/index.ts";
import { startFake } from "./fakes/fakeServer.ts";
import { alpacaRoutes, finnhubRoutes } from "./fakes/payloads.ts";
import { failure as failWith } from "./fakes/providerFailure.ts";

const signal = new AbortController().signal;
const clock = new ManualClock(Date.parse("2024-01-03T12:00:00Z"));
const alpacaFake = startFake(alpacaRoutes);
const finnhubFake = startFake(finnhubRoutes({ legacy: false }));
const legacyFake = startFake(finnhubRoutes({ legacy: true }));
afterAll(async () => {
  await Promise.all([alpacaFake.stop(), finnhubFake.stop(), legacyFake.stop()]);
});

const SECRET = "sk-very-secret-value";
const alpaca = new AlpacaProvider({
  keyId: "AKID",
  secretKey: SECRET,
  dataUrl: alpacaFake.url,
  clock,
});
const finnhub = (url: string) => new FinnhubProvider({ apiKey: SECRET, baseUrl: url, clock });

/** The ProviderError of a call that must fail, whose message never carries the key. */
const failure = (p: Promise<unknown>) => failWith(p, SECRET);

describe("alpaca", () => {
  test("latest quote with key headers, nanosecond time normalised", async () => {
    const q = await alpaca.latestQuote("AAPL", signal);
    expect(q).toEqual({
      symbol: "AAPL",
      timestamp: "2022-03-18T14:02:43.651Z",
      price: 161.105,
      bid: 161.1,
      ask: 161.11,
      bid_size: 2,
      ask_size: 13,
    });
    const sent = alpacaFake.requests.at(-1);
    expect(sent?.headers.get("apca-api-key-id")).toBe("AKID");
    expect(sent?.headers.get("apca-api-secret-key")).toBe(SECRET);
    expect(sent?.url.search).not.toContain(SECRET);
  });

  test("an empty or non-positive side is null, the price is the side that is there", async () => {
    expect(await alpaca.latestQuote("ONESIDE", signal)).toMatchObject({
      price: 187.5,
      bid: 187.5,
      bid_size: 3,
      ask: null,
      ask_size: null,
    });
    expect(await alpaca.latestQuote("NEG", signal)).toMatchObject({
      price: 10,
      bid: 10,
      ask: null,
      ask_size: null,
    });
    expect((await failure(alpaca.latestQuote("EMPTY", signal))).kind).toBe("not_found");
  });

  test("bars follow next_page_token; unknown symbol quote is not_found", async () => {
    const bars = await alpaca.bars(
      "AAPL",
      { timeframe: "1Day", start: 0, end: clock.now(), limit: 100 },
      signal,
    );
    expect(bars.map((b) => b.t)).toEqual(["2022-02-01T05:00:00Z", "2022-02-02T05:00:00Z"]);
    expect(bars[0]).toMatchObject({ o: 174, n: 732412, vw: 173.703516 });
    expect((await failure(alpaca.latestQuote("NOPE", signal))).kind).toBe("not_found");
    expect(
      await alpaca.bars(
        "NOPE",
        { timeframe: "1Day", start: 0, end: clock.now(), limit: 100 },
        signal,
      ),
    ).toEqual([]);
  });

  test("the latest bars: pages newest first (sort=desc), only as many as the limit, ascending", async () => {
    const query = { timeframe: "1Day" as const, start: 0, end: clock.now(), limit: 1 };
    const before = alpacaFake.requests.length;
    const latest = await alpaca.bars("AAPL", { ...query, latest: true }, signal);
    expect(latest.map((b) => b.t)).toEqual(["2022-02-02T05:00:00Z"]);
    expect(alpacaFake.requests.length - before).toBe(1);
    expect(alpacaFake.requests.at(-1)?.url.searchParams.get("sort")).toBe("desc");
    const both = await alpaca.bars("AAPL", { ...query, limit: 2, latest: true }, signal);
    expect(both.map((b) => b.t)).toEqual(["2022-02-01T05:00:00Z", "2022-02-02T05:00:00Z"]);
    const first = await alpaca.bars("AAPL", query, signal);
    expect(first.map((b) => b.t)).toEqual(["2022-02-01T05:00:00Z"]);
  });

  test("bars come back in range, one per time, ascending, whatever the pages say; a token cycle ends", async () => {
    const bar = (t: string, c: number) => ({ t, o: c, h: c, l: c, c, v: 1 });
    let call = 0;
    alpacaFake.fault = {
      kind: "body",
      // Pages repeat their token (A, B, A…): the adapter stops at the repeat.
      get body() {
        call++;
        return {
          bars: {
            AAPL: [
              bar("2022-02-03T05:00:00Z", 3),
              bar("2022-02-01T05:00:00Z", 1),
              bar("2022-02-01T05:00:00Z", 9), // duplicate time
              bar("2031-01-01T05:00:00Z", 7), // after end
              bar("not-a-time", 8),
            ],
          },
          next_page_token: call % 2 === 1 ? "A" : "B",
        };
      },
    } as never;
    try {
      const bars = await alpaca.bars(
        "AAPL",
        { timeframe: "1Day", start: 0, end: clock.now(), limit: 100 },
        signal,
      );
      expect(bars.map((b) => [b.t, b.c])).toEqual([
        ["2022-02-01T05:00:00Z", 1],
        ["2022-02-03T05:00:00Z", 3],
      ]);
      expect(call).toBe(3); // pages with token A, then B, then A again: stop
    } finally {
      alpacaFake.fault = undefined;
    }
  });

  test("a quote whose time does not parse is a bad_response, not served as text", async () => {
    alpacaFake.fault = {
      kind: "body",
      body: { quotes: { AAPL: { t: "not-a-time<script>", ap: 10, as: 1, bp: 9, bs: 1 } } },
    };
    try {
      expect((await failure(alpaca.latestQuote("AAPL", signal))).kind).toBe("bad_response");
    } finally {
      alpacaFake.fault = undefined;
    }
  });

  test("news maps to the domain model", async () => {
    const [item] = await alpaca.news(
      { symbols: ["AAPL"], start: 0, end: clock.now(), limit: 10 },
      signal,
    );
    expect(item).toMatchObject({
      id: "24843171",
      source: "benzinga",
      symbols: ["AAPL"],
      created_at: "2022-01-05T22:00:37Z",
      updated_at: "2022-01-05T22:00:38Z",
      sentiment: null,
    });
  });

  test("an update time RFC 3339 cannot write, or before the creation, is the creation time", async () => {
    for (const updated of [
      "9999-12-31T23:59:59-23:59",
      "0000-01-01T00:00:00+01:00",
      "1900-01-01T00:00:00Z",
      "x",
    ]) {
      const created_at = "2022-01-05T22:00:37Z";
      const story = { id: 1, headline: "h", created_at, updated_at: updated, symbols: ["AAPL"] };
      alpacaFake.fault = {
        kind: "body",
        body: { news: [{ ...story, source: "s" }], next_page_token: null },
      };
      try {
        const [item] = await alpaca.news(
          { symbols: ["AAPL"], start: 0, end: clock.now(), limit: 10 },
          signal,
        );
        expect([updated, item?.updated_at]).toEqual([updated, created_at]);
      } finally {
        alpacaFake.fault = undefined;
      }
    }
  });

  test("faults: 429 with Retry-After / X-Ratelimit-Reset, 5xx, 401, truncated JSON, wrong shape", async () => {
    alpacaFake.fault = { kind: "status", status: 429, headers: { "Retry-After": "3" } };
    let e = await failure(alpaca.latestQuote("AAPL", signal));
    expect([e.kind, e.retryAfterMs, e.retryable]).toEqual(["rate_limited", 3000, true]);
    const reset = Math.floor(clock.now() / 1000) + 7;
    alpacaFake.fault = {
      kind: "status",
      status: 429,
      headers: {
        "X-Ratelimit-Limit": "200",
        "X-Ratelimit-Remaining": "0",
        "X-Ratelimit-Reset": String(reset),
      },
    };
    e = await failure(alpaca.latestQuote("AAPL", signal));
    expect(e.retryAfterMs).toBe(7000);
    alpacaFake.fault = { kind: "status", status: 503 };
    expect((await failure(alpaca.latestQuote("AAPL", signal))).kind).toBe("unavailable");
    alpacaFake.fault = { kind: "status", status: 401 };
    expect((await failure(alpaca.latestQuote("AAPL", signal))).kind).toBe("auth");
    alpacaFake.fault = { kind: "truncated" };
    expect((await failure(alpaca.latestQuote("AAPL", signal))).kind).toBe("bad_response");
    alpacaFake.fault = { kind: "body", body: { quotes: { AAPL: { ap: "161.11" } } } };
    e = await failure(alpaca.latestQuote("AAPL", signal));
    expect(e.kind).toBe("bad_response");
    expect(e.message).toContain("quotes.AAPL");
    alpacaFake.fault = undefined;
  });
});

describe("finnhub", () => {
  test("quote, unknown symbol (all zeros) is not_found, token redacted in errors", async () => {
    const q = await finnhub(finnhubFake.url).latestQuote("AAPL", signal);
    expect(q).toMatchObject({ price: 182.63, timestamp: "2024-01-01T00:00:00Z", bid: null });
    expect(finnhubFake.requests.at(-1)?.url.searchParams.get("token")).toBe(SECRET);
    expect((await failure(finnhub(finnhubFake.url).latestQuote("NOPE", signal))).kind).toBe(
      "not_found",
    );
    finnhubFake.fault = { kind: "status", status: 500 };
    const e = await failure(finnhub(finnhubFake.url).latestQuote("AAPL", signal));
    expect(e.message).toContain("token=%5Bredacted%5D");
    finnhubFake.fault = undefined;
  });

  test("sentiment whose counts overflow is a bad_response, not Infinity served as null", async () => {
    const huge = {
      atTime: "2024-01-01 10:00:00",
      mention: 1e308,
      positiveMention: 1,
      negativeMention: 1,
      positiveScore: 0.8,
      negativeScore: -0.5,
      score: -0.9,
    };
    finnhubFake.fault = { kind: "body", body: { symbol: "AAPL", data: [huge, huge] } };
    try {
      expect((await failure(finnhub(finnhubFake.url).sentiment("AAPL", signal))).kind).toBe(
        "bad_response",
      );
    } finally {
      finnhubFake.fault = undefined;
    }
  });

  test("a quote with a price that cannot be traded is a bad_response", async () => {
    for (const c of [-5, 0.0]) {
      finnhubFake.fault = {
        kind: "body",
        body: { c, d: 0, dp: 0, h: 1, l: 1, o: 1, pc: 1, t: 1_704_290_400 },
      };
      try {
        expect((await failure(finnhub(finnhubFake.url).latestQuote("AAPL", signal))).kind).toBe(
          "bad_response",
        );
      } finally {
        finnhubFake.fault = undefined;
      }
    }
  });

  test("social sentiment in both envelopes aggregates the same", async () => {
    const current = await finnhub(finnhubFake.url).sentiment("AAPL", signal);
    const legacy = await finnhub(legacyFake.url).sentiment("AAPL", signal);
    expect(current).toEqual(legacy);
    expect(current).toMatchObject({
      mentions: 40,
      positive_mentions: 24,
      negative_mentions: 8,
      score: 0.2,
      label: "Somewhat-Bullish",
    });
  });

  test("company news per symbol, newest first", async () => {
    const items = await finnhub(finnhubFake.url).news(
      { symbols: ["AAPL"], start: 0, end: clock.now(), limit: 5 },
      signal,
    );
    expect(items[0]).toMatchObject({
      id: "125000001",
      created_at: "2024-01-02T00:00:00Z",
      symbols: ["AAPL"],
    });
  });
});
