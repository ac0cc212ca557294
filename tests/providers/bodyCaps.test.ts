/**
 * Per-operation body caps: a latest quote is a few hundred bytes from every
 * provider, so a quote answer of 100 KB is refused (bad_response) before it
 * is parsed, while the same padding on a bars page is served.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import {
  AlpacaProvider,
  AlphaVantageProvider,
  FinnhubProvider,
} from "../../src/providers/index.ts";
import { QUOTE_BODY_BYTES, SENTIMENT_BODY_BYTES } from "../../src/providers/transport/index.ts";
import { type Handler, startFake } from "./fakes/fakeServer.ts";
import { alpacaRoutes, alphaVantageRoutes, finnhubRoutes } from "./fakes/payloads.ts";
import { failure } from "./fakes/providerFailure.ts";

const signal = new AbortController().signal;
const clock = new ManualClock(Date.parse("2024-01-03T12:00:00Z"));

/** The documented payloads with an extra field of `bytes` characters (ignored by the schemas). */
function padded(routes: Record<string, Handler>, bytes: number): Record<string, Handler> {
  const pad = "x".repeat(bytes);
  return Object.fromEntries(
    Object.entries(routes).map(([path, handler]) => [
      path,
      (url: URL, headers: Headers) => ({ ...(handler(url, headers) as object), pad }),
    ]),
  );
}

const alpacaFake = startFake(padded(alpacaRoutes, 100_000));
const finnhubFake = startFake(padded(finnhubRoutes({ legacy: false }), SENTIMENT_BODY_BYTES));
const avFake = startFake(padded(alphaVantageRoutes, 100_000));
afterAll(async () => {
  await Promise.all([alpacaFake.stop(), finnhubFake.stop(), avFake.stop()]);
});

const alpaca = new AlpacaProvider({ keyId: "k", secretKey: "s", dataUrl: alpacaFake.url, clock });
const finnhub = new FinnhubProvider({ apiKey: "s", baseUrl: finnhubFake.url, clock });
const av = new AlphaVantageProvider({ apiKey: "s", baseUrl: avFake.url, clock });

describe("a quote answer over the quote cap is a bad_response", () => {
  test.each([
    ["alpaca", () => alpaca.latestQuote("AAPL", signal)],
    ["finnhub", () => finnhub.latestQuote("AAPL", signal)],
    ["alphavantage", () => av.latestQuote("IBM", signal)],
  ])("%s", async (_name, call) => {
    const error = await failure(call());
    expect(error.kind).toBe("bad_response");
    expect(error.message).toContain(`over ${QUOTE_BODY_BYTES} bytes`);
  });
});

test("a social-sentiment answer over its cap is a bad_response", async () => {
  const error = await failure(finnhub.sentiment("AAPL", signal));
  expect(error.kind).toBe("bad_response");
  expect(error.message).toContain(`over ${SENTIMENT_BODY_BYTES} bytes`);
});

test("bars and news keep the general cap: the same padding is served", async () => {
  const bars = await alpaca.bars(
    "AAPL",
    { timeframe: "1Day", start: 0, end: clock.now(), limit: 100 },
    signal,
  );
  expect(bars).toHaveLength(2); // both pages, each over the quote cap
  const news = await alpaca.news(
    { symbols: ["AAPL"], start: 0, end: clock.now(), limit: 10 },
    signal,
  );
  expect(news.length).toBeGreaterThan(0);
});
