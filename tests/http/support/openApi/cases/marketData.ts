/**
 * Success and route-specific failures of the market-data routes (quotes, bars,
 * news, sentiment) on `main`, whose providers are simulated.
 */
import type { ConformanceApps } from "../conformanceApps.ts";
import type { Case } from "./case.ts";

/** The cases, in the order they must run. */
export function marketDataCases({ tokens, get }: ConformanceApps): Case[] {
  return [
    {
      op: "GET /v1/market/quotes/{symbol}",
      status: 200,
      what: "simulated quote",
      send: () => get("/v1/market/quotes/AAPL", tokens.viewer),
    },
    {
      op: "GET /v1/market/quotes/{symbol}",
      status: 400,
      what: "lower-case symbol",
      code: "invalid_request",
      send: () => get("/v1/market/quotes/aapl", tokens.viewer),
    },
    {
      op: "GET /v1/market/bars/{symbol}",
      status: 200,
      what: "simulated hourly bars",
      send: () =>
        get(
          "/v1/market/bars/AAPL?timeframe=1Hour&start=2024-03-11T00:00:00Z&end=2024-03-14T00:00:00Z",
          tokens.viewer,
        ),
    },
    {
      op: "GET /v1/market/bars/{symbol}",
      status: 400,
      what: "timeframe=2Min",
      code: "invalid_request",
      send: () => get("/v1/market/bars/AAPL?timeframe=2Min", tokens.viewer),
    },
    {
      op: "GET /v1/news",
      status: 200,
      what: "simulated news",
      send: () =>
        get(
          "/v1/news?symbols=AAPL,MSFT&start=2024-03-11T00:00:00Z&end=2024-03-15T00:00:00Z&limit=5",
          tokens.viewer,
        ),
    },
    {
      op: "GET /v1/news",
      status: 400,
      what: "limit=51",
      code: "invalid_request",
      send: () => get("/v1/news?limit=51", tokens.viewer),
    },
    {
      op: "GET /v1/altdata/sentiment/{symbol}",
      status: 200,
      what: "simulated sentiment",
      send: () => get("/v1/altdata/sentiment/AAPL", tokens.viewer),
    },
    {
      op: "GET /v1/altdata/sentiment/{symbol}",
      status: 400,
      what: "lower-case symbol",
      code: "invalid_request",
      send: () => get("/v1/altdata/sentiment/aapl", tokens.viewer),
    },
  ];
}
