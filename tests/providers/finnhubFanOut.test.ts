/**
 * Finnhub news is one request per symbol: when one fails, the others are
 * cancelled with the attempt, not left holding connections (and up to 8 MiB
 * each) after the client has its answer.
 */
import { afterAll, expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import { createProviders, isProviderError } from "../../src/providers/index.ts";
import { BreakerRegistry } from "../../src/resilience/index.ts";
import { silentLogger } from "../../src/telemetry/logger.ts";
import { alpacaConfig } from "./fakes/alpacaConfig.ts";

let released!: () => void;
const slowSymbolAborted = new Promise<void>((resolve) => {
  released = resolve;
});
const upstream = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  idleTimeout: 0,
  fetch: async (req) => {
    const symbol = new URL(req.url).searchParams.get("symbol");
    if (symbol === "FOO") return Response.json({ error: "no access" }, { status: 403 });
    // BAR hangs until its request is cancelled; a bounded fallback keeps the test finite.
    await new Promise<void>((resolve) => {
      req.signal.addEventListener("abort", () => {
        released();
        resolve();
      });
      setTimeout(resolve, 3_000).unref();
    });
    return Response.json([]);
  },
});
afterAll(() => upstream.stop(true));

test("the first failing symbol cancels the others' requests", async () => {
  const clock = new ManualClock(Date.parse("2024-01-03T15:00:00Z"));
  const providers = createProviders(
    alpacaConfig(`http://127.0.0.1:${upstream.port}`, {
      NEWS_PROVIDER: "finnhub",
      FINNHUB_API_KEY: "key",
      FINNHUB_BASE_URL: `http://127.0.0.1:${upstream.port}`,
      PROVIDER_ATTEMPT_TIMEOUT: 2_000,
      PROVIDER_TOTAL_TIMEOUT: 2_500,
    }),
    { clock, logger: silentLogger, registry: new BreakerRegistry() },
  );
  const error = await providers.news
    .news(
      { symbols: ["FOO", "BAR"], start: clock.now() - 86_400_000, end: clock.now(), limit: 10 },
      new AbortController().signal,
    )
    .catch((e: unknown) => e);
  expect(isProviderError(error) && error.kind).toBe("rejected");
  const outcome = await Promise.race([
    slowSymbolAborted.then(() => "cancelled"),
    Bun.sleep(1_000).then(() => "still running"),
  ]);
  expect(outcome).toBe("cancelled");
});
