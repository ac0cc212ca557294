/**
 * Paging back through news with `next_end` (src/http/routes/newsCursor.ts):
 * items can share a millisecond, and a page boundary inside such a group must
 * neither repeat nor skip an item. Against a fake Alpaca news API on
 * 127.0.0.1 that serves a fixed feed as documented (newest first, `start` and
 * `end` inclusive, at most `limit`), and against the simulator.
 */
import { afterAll, describe, expect, test } from "bun:test";
import type { MiddlewareHandler } from "hono";
import { ManualClock } from "../../src/clock/index.ts";
import type { AppEnv } from "../../src/http/context.ts";
import { registerMarketRoutes } from "../../src/http/routes/market.ts";
import { newsPage } from "../../src/http/routes/newsCursor.ts";
import { createProviders } from "../../src/providers/index.ts";
import { BreakerRegistry } from "../../src/resilience/index.ts";
import { silentLogger } from "../../src/telemetry/logger.ts";
import { alpacaConfig } from "../providers/fakes/alpacaConfig.ts";
import { startFake } from "../providers/fakes/fakeServer.ts";
import { appWithRoutes } from "./support/testApp.ts";

const NOW = Date.parse("2024-03-15T18:00:00Z");
const clock = new ManualClock(NOW);
const pass: MiddlewareHandler<AppEnv> = async (_c, next) => next();

/** Items at these seconds before NOW, newest first; equal numbers share a millisecond. */
const SECONDS_AGO = [5, 9, 9, 9, 14, 20, 20, 31, 31, 31, 31, 31, 47, 52, 52, 60, 75, 75, 75, 90];
const feed = SECONDS_AGO.map((ago, i) => ({
  id: 1000 + i,
  headline: `item ${i}`,
  author: "desk",
  created_at: new Date(NOW - ago * 1000).toISOString(),
  updated_at: new Date(NOW - ago * 1000).toISOString(),
  summary: "",
  url: `https://news.example.com/${i}`,
  symbols: ["AAPL"],
  source: "benzinga",
}));

const alpaca = startFake({
  "/v1beta1/news": (url) => {
    const start = Date.parse(url.searchParams.get("start") ?? "");
    const end = Date.parse(url.searchParams.get("end") ?? "");
    const limit = Number(url.searchParams.get("limit"));
    const at = (n: (typeof feed)[number]) => Date.parse(n.created_at);
    const news = feed.filter((n) => at(n) >= start && at(n) <= end).slice(0, limit);
    return { news, next_page_token: null };
  },
});
afterAll(() => alpaca.stop());

function newsApp(provider: "alpaca" | "simulated") {
  const providers = createProviders(
    alpacaConfig(alpaca.url, { MARKET_DATA_PROVIDER: "simulated", NEWS_PROVIDER: provider }),
    { clock, logger: silentLogger, registry: new BreakerRegistry() },
  );
  return appWithRoutes([
    (a) => registerMarketRoutes(a, { providers, authorize: pass, now: () => clock.now() }),
  ]);
}

interface Page {
  news: { id: string; created_at: string }[];
  next_end: string | null;
}

/** Every page from `query` on, following `next_end` until null or an empty page. */
async function pages(app: ReturnType<typeof newsApp>, query: string): Promise<Page[]> {
  const out: Page[] = [];
  let end = "";
  for (let i = 0; i < 100; i++) {
    const res = await app.request(`/v1/news?${query}${end ? `&end=${end}` : ""}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as Page;
    out.push(page);
    if (!page.next_end || page.news.length === 0) break;
    end = page.next_end;
  }
  return out;
}
const ids = (ps: Page[]) => ps.flatMap((p) => p.news.map((n) => n.id));

describe("news paging", () => {
  const start = new Date(NOW - 120_000).toISOString();

  test("pages join into exactly the feed, for every page size up to the largest group", async () => {
    const app = newsApp("alpaca");
    const whole = ids(await pages(app, `symbols=AAPL&start=${start}&limit=50`));
    expect(whole).toEqual(feed.map((n) => String(n.id)));
    for (const limit of [5, 6, 7, 10, 19]) {
      expect([limit, ids(await pages(app, `symbols=AAPL&start=${start}&limit=${limit}`))]).toEqual([
        limit,
        whole,
      ]);
    }
  });

  test("a group larger than the page is served once, the rest of its millisecond skipped", async () => {
    const app = newsApp("alpaca");
    const joined = ids(await pages(app, `symbols=AAPL&start=${start}&limit=3`));
    // Five items share 31 s ago: a page of three of them, then on from the millisecond before.
    const skipped = ["1010", "1011"];
    expect(joined).toEqual(feed.map((n) => String(n.id)).filter((id) => !skipped.includes(id)));
  });

  test("the simulator's feed pages the same way", async () => {
    const app = newsApp("simulated");
    // The general feed (every simulated symbol) over 90 days: a few dozen items.
    const window = `start=${new Date(NOW - 90 * 86_400_000).toISOString()}`;
    const whole = ids(await pages(app, `${window}&limit=50`));
    const paged = ids(await pages(app, `${window}&limit=4`));
    expect(whole.length).toBeGreaterThan(20);
    expect(paged).toEqual(whole);
  });
});

describe("newsPage", () => {
  const at = (s: number) => ({ created_at: new Date(NOW - s * 1000).toISOString() });
  // As every time in the API: whole seconds without a fraction.
  const iso = (s: number, ms = 0) =>
    new Date(NOW - s * 1000 - ms).toISOString().replace(".000Z", "Z");

  test("a page ending inside a group leaves the group to the next page", () => {
    const items = [at(1), at(2), at(3), at(3)];
    expect(newsPage(items, 3, 0)).toEqual({ news: [at(1), at(2)], next_end: iso(3) });
  });

  test("a page that ends between groups points a millisecond before its oldest item", () => {
    expect(newsPage([at(1), at(2), at(3), at(4)], 3, 0)).toEqual({
      news: [at(1), at(2), at(3)],
      next_end: iso(3, 1),
    });
    // Short: the provider had no more, but the cursor still points on (like bars).
    expect(newsPage([at(1), at(2)], 3, 0)).toEqual({ news: [at(1), at(2)], next_end: iso(2, 1) });
  });

  test("a full page without the item beyond it takes its oldest millisecond as cut", () => {
    expect(newsPage([at(1), at(2), at(3)], 3, 0)).toEqual({
      news: [at(1), at(2)],
      next_end: iso(3),
    });
  });

  test("a page that is one whole group is served, and the cursor moves past it", () => {
    expect(newsPage([at(3), at(3), at(3)], 3, 0)).toEqual({
      news: [at(3), at(3), at(3)],
      next_end: iso(3, 1),
    });
  });

  test("no cursor before start, none for an empty page", () => {
    expect(newsPage([at(5)], 3, NOW - 5_000)).toEqual({ news: [at(5)], next_end: null });
    expect(newsPage([], 3, 0)).toEqual({ news: [], next_end: null });
  });
});
