/**
 * What a provider outage leaves in the log (soak): the provider's own failure even when the
 * retries then met the open breaker, one line when the breaker opens, and every request it
 * turns away at warn, not error. Real Alpaca adapter against a fake on 127.0.0.1.
 */
import { afterAll, expect, test } from "bun:test";
import type { MiddlewareHandler } from "hono";
import { ManualClock } from "../../src/clock/index.ts";
import type { AppEnv } from "../../src/http/context.ts";
import { registerMarketRoutes } from "../../src/http/routes/market.ts";
import { createProviders } from "../../src/providers/index.ts";
import { BreakerRegistry } from "../../src/resilience/index.ts";
import { createLogger } from "../../src/telemetry/logger.ts";
import { appWithRoutes } from "../http/support/testApp.ts";
import { alpacaConfig } from "./fakes/alpacaConfig.ts";
import { startFake } from "./fakes/fakeServer.ts";
import { alpacaRoutes } from "./fakes/payloads.ts";

const fake = startFake(alpacaRoutes);
afterAll(() => fake.stop());
const pass: MiddlewareHandler<AppEnv> = async (_c, next) => next();

test("an outage: its cause, the breaker opening once, and fail-fast answers at warn", async () => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger("info", (line) => lines.push(JSON.parse(line)));
  const clock = new ManualClock(Date.parse("2024-01-03T15:00:00Z"));
  const providers = createProviders(alpacaConfig(fake.url, { PROVIDER_TOTAL_TIMEOUT: 2_000 }), {
    clock,
    logger,
    registry: new BreakerRegistry(),
    // Two failures open it, so the third attempt meets the open breaker.
    tuning: { failureThreshold: 2, backoffInitialMs: 1, backoffMaxMs: 2, breakJitter: false },
  });
  const app = appWithRoutes(
    [(a) => registerMarketRoutes(a, { providers, authorize: pass, now: () => clock.now() })],
    logger,
  );
  fake.fault = { kind: "status", status: 500 };
  try {
    expect((await app.request("/v1/market/quotes/AAPL")).status).toBe(503);
    expect((await app.request("/v1/market/quotes/IBM")).status).toBe(503); // turned away at once
    clock.advance(5_000); // the first break: the next call probes, and fails
    expect((await app.request("/v1/market/quotes/MSFT")).status).toBe(503);
  } finally {
    fake.fault = undefined;
  }
  const failed = lines.filter((l) => l.msg === "provider call failed");
  expect(failed[0]).toMatchObject({
    error: { name: "BrokenCircuitError" },
    upstream: { name: "ProviderError", message: expect.stringContaining("500 from GET") },
  });
  // One warning per outage, the line to alert on; the failed probe's re-opening is info.
  const breakerLines = lines.filter((l) => String(l.msg).startsWith("provider breaker"));
  expect(breakerLines.map((l) => [l.level, l.msg, l.from, l.to, l.break_ms])).toEqual([
    ["warn", "provider breaker opened: calls fail fast", "closed", "open", 5_000],
    ["info", "provider breaker", "open", "half-open", undefined],
    ["info", "provider breaker: probe failed, open again", "half-open", "open", 10_000],
  ]);
  const requests = lines.filter((l) => l.msg === "request");
  expect(requests.map((r) => [r.status, r.level])).toEqual([
    [503, "warn"],
    [503, "warn"],
    [503, "warn"], // the probe failed, and its retry met the re-opened breaker
  ]);
});
