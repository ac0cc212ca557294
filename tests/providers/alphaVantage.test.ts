/** The Alpha Vantage adapter against a fake server replaying its documented payloads and refusals. */
import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import { AlphaVantageProvider } from "../../src/providers/index.ts";
import { startFake } from "./fakes/fakeServer.ts";
import { alphaVantageRoutes } from "./fakes/payloads.ts";
import { failure as failWith } from "./fakes/providerFailure.ts";

const signal = new AbortController().signal;
const clock = new ManualClock(Date.parse("2024-01-03T12:00:00Z"));
const avFake = startFake(alphaVantageRoutes);
afterAll(() => avFake.stop());

const SECRET = "sk-very-secret-value";
const av = new AlphaVantageProvider({ apiKey: SECRET, baseUrl: avFake.url, clock });
const failure = (p: Promise<unknown>) => failWith(p, SECRET);

describe("alpha vantage", () => {
  test("daily series (string numbers) as ascending bars at New York midnight", async () => {
    const bars = await av.bars(
      "IBM",
      { timeframe: "1Day", start: 0, end: clock.now(), limit: 10 },
      signal,
    );
    expect(bars).toEqual([
      {
        t: "2022-06-30T04:00:00Z",
        o: 139.58,
        h: 141.33,
        l: 139.04,
        c: 140.17,
        v: 5070011,
        n: null,
        vw: null,
      },
      {
        t: "2022-07-01T04:00:00Z",
        o: 141,
        h: 141.67,
        l: 139.26,
        c: 141.12,
        v: 4012106,
        n: null,
        vw: null,
      },
    ]);
  });

  test("HTTP 200 refusals: Note and rate Information are retryable, Error Message is not_found", async () => {
    avFake.fault = {
      kind: "body",
      body: {
        Note: "Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute",
      },
    };
    const e = await failure(
      av.bars("IBM", { timeframe: "1Day", start: 0, end: clock.now(), limit: 10 }, signal),
    );
    expect([e.kind, e.retryable, e.retryAfterMs]).toEqual(["rate_limited", true, 60_000]);
    avFake.fault = {
      kind: "body",
      body: {
        Information:
          "We have detected your API key as ... our standard API rate limit is 25 requests per day.",
      },
    };
    expect((await failure(av.latestQuote("IBM", signal))).kind).toBe("rate_limited");
    avFake.fault = {
      kind: "body",
      body: { Information: "The demo API key is for demo purposes only." },
    };
    expect((await failure(av.latestQuote("IBM", signal))).kind).toBe("auth");
    avFake.fault = undefined;
    expect(
      (
        await failure(
          av.bars("NOPE", { timeframe: "1Day", start: 0, end: clock.now(), limit: 10 }, signal),
        )
      ).kind,
    ).toBe("not_found");
    expect((await failure(av.latestQuote("NOPE", signal))).kind).toBe("not_found");
  });

  test("news sentiment and ticker sentiment", async () => {
    const [item] = await av.news(
      { symbols: ["IBM"], start: 0, end: clock.now(), limit: 5 },
      signal,
    );
    expect(item).toMatchObject({
      created_at: "2024-01-02T17:02:45Z",
      sentiment: 0.31,
      sentiment_label: "Somewhat-Bullish",
      symbols: ["IBM"],
    });
    const s = await av.sentiment("IBM", signal);
    expect(s).toMatchObject({ score: 0.4, mentions: 1, positive_mentions: 1 });
  });

  test("news asks for the minute that holds `end`, then trims to it", async () => {
    // Alpha Vantage takes minutes: `end` mid-minute (a news cursor) must still cover the item
    // at 17:02:45, and one a whole minute needs no rounding.
    const asked = (): string | null => {
      const last = avFake.requests.at(-1);
      return last ? last.url.searchParams.get("time_to") : null;
    };
    const midMinute = Date.parse("2024-01-02T17:02:50Z");
    const items = await av.news({ symbols: ["IBM"], start: 0, end: midMinute, limit: 5 }, signal);
    expect(asked()).toBe("20240102T1703");
    expect(items.map((n) => n.created_at)).toEqual(["2024-01-02T17:02:45Z"]);
    const before = await av.news(
      { symbols: ["IBM"], start: 0, end: Date.parse("2024-01-02T17:02:44Z"), limit: 5 },
      signal,
    );
    expect(before).toEqual([]);
    await av.news(
      { symbols: ["IBM"], start: 0, end: Date.parse("2024-01-02T17:02:00Z"), limit: 5 },
      signal,
    );
    expect(asked()).toBe("20240102T1702");
  });

  const withBody = async <T>(body: unknown, run: () => Promise<T>): Promise<T> => {
    avFake.fault = { kind: "body", body };
    try {
      return await run();
    } finally {
      avFake.fault = undefined;
    }
  };
  const globalQuote = (symbol: string, day: string) => ({
    "Global Quote": { "01. symbol": symbol, "05. price": "141.12", "07. latest trading day": day },
  });

  test("a quote of a session still trading is stamped now, not at its close hours ahead", async () => {
    const open = new ManualClock(Date.parse("2024-01-03T15:30:00Z")); // 10:30 in New York
    const during = new AlphaVantageProvider({ apiKey: SECRET, baseUrl: avFake.url, clock: open });
    const today = await withBody(globalQuote("IBM", "2024-01-03"), () =>
      during.latestQuote("IBM", signal),
    );
    expect(today.timestamp).toBe("2024-01-03T15:30:00Z");
    const before = await withBody(globalQuote("IBM", "2024-01-02"), () =>
      during.latestQuote("IBM", signal),
    );
    expect(before.timestamp).toBe("2024-01-02T21:00:00Z");
    // Before today's open (07:00 and 00:00 in New York): the price is yesterday's close.
    for (const early of ["2024-01-03T12:00:00Z", "2024-01-03T05:00:00Z"]) {
      const morning = new AlphaVantageProvider({
        apiKey: SECRET,
        baseUrl: avFake.url,
        clock: new ManualClock(Date.parse(early)),
      });
      const quote = await withBody(globalQuote("IBM", "2024-01-03"), () =>
        morning.latestQuote("IBM", signal),
      );
      expect([early, quote.timestamp]).toEqual([early, "2024-01-02T21:00:00Z"]);
    }
  });

  test("another symbol's quote or series is a bad_response, not served as the one asked for", async () => {
    const quote = await withBody(globalQuote("MSFT", "2024-01-02"), () =>
      failure(av.latestQuote("AAPL", signal)),
    );
    expect(quote.kind).toBe("bad_response");
    const dotted = await withBody(globalQuote("brk-b", "2024-01-02"), () =>
      av.latestQuote("BRK.B", signal),
    );
    expect(dotted.symbol).toBe("BRK.B");
    const series = await withBody(
      {
        "Meta Data": { "2. Symbol": "MSFT" },
        "Time Series (Daily)": {
          "2022-07-01": {
            "1. open": "1",
            "2. high": "1",
            "3. low": "1",
            "4. close": "1",
            "5. volume": "1",
          },
        },
      },
      () =>
        failure(
          av.bars("IBM", { timeframe: "1Day", start: 0, end: clock.now(), limit: 10 }, signal),
        ),
    );
    expect(series.kind).toBe("bad_response");
  });
});
