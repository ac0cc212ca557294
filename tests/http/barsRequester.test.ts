/**
 * The bars route names its asker to the provider (`requester`), which the
 * simulator's admission takes in turn (tests/providers/simulatorLoad.test.ts).
 */
import { expect, test } from "bun:test";
import type { MiddlewareHandler } from "hono";
import { ManualClock } from "../../src/clock/index.ts";
import type { AppEnv } from "../../src/http/context.ts";
import { registerMarketRoutes } from "../../src/http/routes/market.ts";
import { type BarsQuery, createProviders } from "../../src/providers/index.ts";
import { BreakerRegistry } from "../../src/resilience/index.ts";
import { silentLogger } from "../../src/telemetry/logger.ts";
import { alpacaConfig } from "../providers/fakes/alpacaConfig.ts";
import { appWithRoutes } from "./support/testApp.ts";

test("the bars route passes the caller's user id as requester; the answer does not depend on it", async () => {
  const clock = new ManualClock(Date.parse("2024-03-15T18:00:00Z"));
  const providers = createProviders(
    alpacaConfig("http://127.0.0.1:9", { MARKET_DATA_PROVIDER: "simulated" }),
    {
      clock,
      logger: silentLogger,
      registry: new BreakerRegistry(),
    },
  );
  const asked: (string | undefined)[] = [];
  const bars = providers.market.bars;
  providers.market.bars = (symbol: string, query: BarsQuery, signal: AbortSignal) => {
    asked.push(query.requester);
    return bars(symbol, query, signal);
  };
  const asUser: MiddlewareHandler<AppEnv> = async (c, next) => {
    const userId = c.req.header("x-test-user") ?? "";
    c.set("principal", { userId, username: userId, role: "viewer", sessionId: "s" });
    await next();
  };
  const app = appWithRoutes([
    (a) => registerMarketRoutes(a, { providers, authorize: asUser, now: () => clock.now() }),
  ]);
  const ask = (user: string) =>
    app.request(
      "/v1/market/bars/AAPL?timeframe=1Day&start=2024-03-01T00:00:00Z&end=2024-03-10T00:00:00Z",
      {
        headers: { "x-test-user": user },
      },
    );
  const first = await ask("u-alice");
  const second = await ask("u-bob");
  expect([first.status, second.status]).toEqual([200, 200]);
  expect(asked).toEqual(["u-alice", "u-bob"]);
  // The asker changes who waits when, never the answer.
  expect(await first.text()).toBe(await second.text());
});
