/**
 * Documented provider payloads (reference/trading.md §2), as fake handlers.
 * Unknown symbols get what each provider really sends: `{"quotes":{}}`,
 * Finnhub's all-zero quote, Alpha Vantage's `Error Message`.
 */
import type { Handler } from "./fakeServer.ts";

const KNOWN = new Set(["AAPL", "IBM"]);
/**
 * Latest quotes with an empty side, as Alpaca sends outside market hours (price and size 0),
 * and with nothing at all; NEG is not something Alpaca documents, only hostile.
 */
const EMPTY_SIDES: Record<string, { ap: number; as: number; bp: number; bs: number }> = {
  ONESIDE: { ap: 0, as: 0, bp: 187.5, bs: 3 },
  NEG: { ap: -5, as: 1, bp: 10, bs: 2 },
  EMPTY: { ap: 0, as: 0, bp: 0, bs: 0 },
};

/** Alpaca data API: latest quotes, bars in two pages, news. */
export const alpacaRoutes: Record<string, Handler> = {
  "/v2/stocks/quotes/latest": (url) => {
    const symbol = url.searchParams.get("symbols") ?? "";
    const sides = EMPTY_SIDES[symbol];
    if (sides) return { quotes: { [symbol]: { t: "2022-03-19T00:00:01Z", ...sides } } };
    if (!KNOWN.has(symbol)) return { quotes: {} };
    return {
      quotes: {
        [symbol]: {
          t: "2022-03-18T14:02:43.651613184Z",
          ax: "P",
          ap: 161.11,
          as: 13,
          bx: "K",
          bp: 161.1,
          bs: 2,
          c: ["R"],
          z: "C",
        },
      },
    };
  },
  "/v2/stocks/bars": (url) => {
    const symbol = url.searchParams.get("symbols") ?? "";
    if (!KNOWN.has(symbol)) return { bars: {}, next_page_token: null };
    // `sort=desc` (Alpaca's documented parameter) pages newest first.
    const desc = url.searchParams.get("sort") === "desc";
    const second = (url.searchParams.get("page_token") === "QUFQTHwy") !== desc;
    const bar = second
      ? {
          t: "2022-02-02T05:00:00Z",
          o: 174.75,
          h: 175.88,
          l: 173.33,
          c: 175.84,
          v: 84914256,
          n: 696376,
          vw: 174.813,
        }
      : {
          t: "2022-02-01T05:00:00Z",
          o: 174,
          h: 174.84,
          l: 172.31,
          c: 174.61,
          v: 85998033,
          n: 732412,
          vw: 173.703516,
        };
    const last = url.searchParams.get("page_token") === "QUFQTHwy";
    return { bars: { [symbol]: [bar] }, next_page_token: last ? null : "QUFQTHwy" };
  },
  "/v1beta1/news": () => ({
    news: [
      {
        id: 24843171,
        headline: "Apple Leader in Phone Sales in China",
        author: "Benzinga Newsdesk",
        created_at: "2022-01-05T22:00:37Z",
        updated_at: "2022-01-05T22:00:38Z",
        summary: "",
        url: "https://www.benzinga.com/news/24843171",
        images: [{ size: "thumb", url: "https://example.com/a.jpg" }],
        symbols: ["AAPL"],
        source: "benzinga",
      },
    ],
    next_page_token: null,
  }),
};

const row = (atTime: string, mention: number, score: number) => ({
  atTime,
  mention,
  positiveMention: Math.round(mention * 0.6),
  negativeMention: Math.round(mention * 0.2),
  positiveScore: 0.8,
  negativeScore: -0.5,
  score,
});

/** Finnhub: quote, company news, social sentiment (envelope chosen by `legacy`). */
export function finnhubRoutes(opts: { legacy: boolean }): Record<string, Handler> {
  return {
    "/quote": (url) =>
      KNOWN.has(url.searchParams.get("symbol") ?? "")
        ? {
            c: 182.63,
            d: 1.85,
            dp: 1.0239,
            h: 183.12,
            l: 180.97,
            o: 181.05,
            pc: 180.78,
            t: 1704067200,
          }
        : { c: 0, d: null, dp: null, h: 0, l: 0, o: 0, pc: 0, t: 0 },
    "/company-news": (url) => [
      {
        category: "company",
        datetime: 1704153600,
        headline: `${url.searchParams.get("symbol")} beats estimates`,
        id: 125_000_001,
        image: "",
        related: url.searchParams.get("symbol") ?? "",
        source: "Yahoo",
        summary: "Quarterly results",
        url: "https://example.com/n1",
      },
    ],
    "/stock/social-sentiment": () =>
      opts.legacy
        ? {
            symbol: "AAPL",
            reddit: [row("2024-01-01 10:00:00", 10, 0.5)],
            twitter: [row("2024-01-01 11:00:00", 30, 0.1)],
          }
        : {
            symbol: "AAPL",
            data: [row("2024-01-01 10:00:00", 10, 0.5), row("2024-01-01 11:00:00", 30, 0.1)],
          },
  };
}

/** Alpha Vantage `/query` by function. */
export const alphaVantageRoutes: Record<string, Handler> = {
  "/query": (url) => {
    const fn = url.searchParams.get("function");
    const symbol = url.searchParams.get("symbol") ?? url.searchParams.get("tickers") ?? "";
    if (fn === "TIME_SERIES_DAILY") {
      if (!KNOWN.has(symbol))
        return { "Error Message": "Invalid API call. Please retry or visit the documentation." };
      return {
        "Meta Data": {
          "1. Information": "Daily Prices (open, high, low, close) and Volumes",
          "2. Symbol": symbol,
          "3. Last Refreshed": "2022-07-01",
          "4. Output Size": "Compact",
          "5. Time Zone": "US/Eastern",
        },
        "Time Series (Daily)": {
          "2022-07-01": {
            "1. open": "141.0000",
            "2. high": "141.6700",
            "3. low": "139.2600",
            "4. close": "141.1200",
            "5. volume": "4012106",
          },
          "2022-06-30": {
            "1. open": "139.5800",
            "2. high": "141.3300",
            "3. low": "139.0400",
            "4. close": "140.1700",
            "5. volume": "5070011",
          },
        },
      };
    }
    if (fn === "GLOBAL_QUOTE") {
      if (!KNOWN.has(symbol)) return { "Global Quote": {} };
      return {
        "Global Quote": {
          "01. symbol": symbol,
          "02. open": "141.0000",
          "05. price": "141.1200",
          "07. latest trading day": "2022-07-01",
        },
      };
    }
    if (fn === "NEWS_SENTIMENT") {
      return {
        items: "1",
        sentiment_score_definition: "x <= -0.35: Bearish; ... x >= 0.35: Bullish",
        relevance_score_definition: "0 < x <= 1",
        feed: [
          {
            title: "IBM rallies",
            url: "https://example.com/ibm",
            time_published: "20240102T170245",
            authors: ["A. Writer"],
            summary: "s",
            banner_image: null,
            source: "Example",
            category_within_source: "n/a",
            source_domain: "example.com",
            topics: [],
            overall_sentiment_score: 0.31,
            overall_sentiment_label: "Somewhat-Bullish",
            ticker_sentiment: [
              {
                ticker: "IBM",
                relevance_score: "0.9",
                ticker_sentiment_score: "0.4",
                ticker_sentiment_label: "Bullish",
              },
            ],
          },
        ],
      };
    }
    return { "Error Message": "Invalid API call." };
  },
};
