/**
 * Cases on `live`, whose providers are the real Alpha Vantage adapters against
 * a local fake: their 200s, the 404 of an unknown symbol and the 503 of a
 * provider that refuses our key with nothing cached.
 */
import type { FakeProvider } from "../../../../providers/fakes/fakeServer.ts";
import type { ConformanceApps } from "../conformanceApps.ts";
import type { Case } from "./case.ts";

const FAKE_ERROR = {
  "Error Message": "Invalid API call. Please retry or visit the documentation.",
};

/** `run` with `fake` refusing our key (401) meanwhile. */
const failing =
  <T>(fake: FakeProvider, run: () => Promise<T>) =>
  async () => {
    fake.fault = { kind: "status", status: 401 };
    try {
      return await run();
    } finally {
      fake.fault = undefined;
    }
  };

/** `run` with `fake` answering Alpha Vantage's "Error Message" body meanwhile. */
const unknownSymbol =
  <T>(fake: FakeProvider, run: () => Promise<T>) =>
  async () => {
    fake.fault = { kind: "body", body: FAKE_ERROR };
    try {
      return await run();
    } finally {
      fake.fault = undefined;
    }
  };

/** The provider cases, in the order they must run (each moves `live`'s clock on an hour). */
export function providerCases({ alphaVantage, liveGet }: ConformanceApps): Case[] {
  return [
    {
      op: "GET /v1/market/quotes/{symbol}",
      status: 200,
      what: "Alpha Vantage quote",
      send: () => liveGet("/v1/market/quotes/IBM"),
    },
    {
      op: "GET /v1/market/quotes/{symbol}",
      status: 404,
      what: "Alpha Vantage knows no such symbol",
      code: "not_found",
      send: () => liveGet("/v1/market/quotes/NOPE"),
    },
    {
      op: "GET /v1/market/bars/{symbol}",
      status: 200,
      what: "Alpha Vantage daily bars",
      send: () =>
        liveGet(
          "/v1/market/bars/IBM?timeframe=1Day&start=2022-06-01T00:00:00Z&end=2022-07-31T00:00:00Z",
        ),
    },
    {
      op: "GET /v1/market/bars/{symbol}",
      status: 404,
      what: "Alpha Vantage knows no such symbol",
      code: "not_found",
      send: () =>
        liveGet(
          "/v1/market/bars/NOPE?timeframe=1Day&start=2022-06-01T00:00:00Z&end=2022-07-31T00:00:00Z",
        ),
    },
    {
      op: "GET /v1/news",
      status: 200,
      what: "Alpha Vantage news sentiment feed",
      send: () =>
        liveGet("/v1/news?symbols=IBM&start=2024-01-01T00:00:00Z&end=2024-01-05T00:00:00Z"),
    },
    {
      op: "GET /v1/news",
      status: 404,
      what: "Alpha Vantage answers Error Message",
      code: "not_found",
      send: unknownSymbol(alphaVantage, () =>
        liveGet("/v1/news?symbols=ZZZZ&start=2024-01-01T00:00:00Z&end=2024-01-05T00:00:00Z"),
      ),
    },
    {
      op: "GET /v1/altdata/sentiment/{symbol}",
      status: 200,
      what: "Alpha Vantage sentiment",
      send: () => liveGet("/v1/altdata/sentiment/IBM"),
    },
    {
      op: "GET /v1/altdata/sentiment/{symbol}",
      status: 404,
      what: "Alpha Vantage answers Error Message",
      code: "not_found",
      send: unknownSymbol(alphaVantage, () => liveGet("/v1/altdata/sentiment/ZZZZ")),
    },
    // Symbols not asked before: no cached answer can stand in.
    {
      op: "GET /v1/market/quotes/{symbol}",
      status: 503,
      what: "the provider refuses our key, nothing cached",
      code: "provider_unavailable",
      send: failing(alphaVantage, () => liveGet("/v1/market/quotes/MSFT")),
    },
    {
      op: "GET /v1/market/bars/{symbol}",
      status: 503,
      what: "the provider refuses our key, nothing cached",
      code: "provider_unavailable",
      send: failing(alphaVantage, () =>
        liveGet(
          "/v1/market/bars/MSFT?timeframe=1Day&start=2022-06-01T00:00:00Z&end=2022-07-31T00:00:00Z",
        ),
      ),
    },
    {
      op: "GET /v1/news",
      status: 503,
      what: "the provider refuses our key, nothing cached",
      code: "provider_unavailable",
      send: failing(alphaVantage, () =>
        liveGet("/v1/news?symbols=MSFT&start=2024-01-01T00:00:00Z&end=2024-01-05T00:00:00Z"),
      ),
    },
    {
      op: "GET /v1/altdata/sentiment/{symbol}",
      status: 503,
      what: "the provider refuses our key, nothing cached",
      code: "provider_unavailable",
      send: failing(alphaVantage, () => liveGet("/v1/altdata/sentiment/MSFT")),
    },
  ];
}
