/**
 * The peer of the HTTP benchmark: the same quote route assembled from the
 * off-the-shelf parts a user would pick — `hono/jwt` middleware,
 * rate-limiter-flexible's `RateLimiterRedis` on the same Redis, and
 * `@hono/otel` with the OTel Node SDK exporting to the same local receiver.
 * The quote comes from our simulator so both routes do the same data work.
 */
import { httpInstrumentationMiddleware } from "@hono/otel";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { Hono } from "hono";
import { jwt } from "hono/jwt";
import Redis from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { loadConfig } from "../../../src/config/index.ts";
import { createProviders } from "../../../src/providers/index.ts";
import { silentLogger } from "../../../src/telemetry/logger.ts";

const env = process.env;
process.env.OTEL_METRICS_EXPORTER ??= "none";
process.env.OTEL_LOGS_EXPORTER ??= "none";
const sdk = new NodeSDK({ instrumentations: [] });
sdk.start();

const redis = new Redis(env.REDIS_URL as string, { enableOfflineQueue: false });
const limiter = new RateLimiterRedis({
  storeClient: redis,
  keyPrefix: "ots",
  points: 1_000_000_000,
  duration: 60,
});
const loaded = loadConfig({ ENVIRONMENT: "development" }, "development");
if (!loaded.ok) throw new Error("config");
const providers = createProviders(loaded.config, { logger: silentLogger });

const app = new Hono<{ Variables: { jwtPayload: { sub: string } } }>();
app.use("*", httpInstrumentationMiddleware({ serviceName: "off-the-shelf" }));
app.use("/v1/*", jwt({ secret: env.SECURITY_SECRET_KEY as string, alg: "HS256" }));
app.use("/v1/*", async (c, next) => {
  try {
    await limiter.consume(c.get("jwtPayload").sub);
  } catch {
    return c.json({ error: { code: "rate_limited" } }, 429);
  }
  await next();
});
app.get("/v1/market/quotes/:symbol", async (c) =>
  c.json(await providers.market.latestQuote(c.req.param("symbol"), new AbortController().signal)),
);

const server = Bun.serve({ hostname: "127.0.0.1", port: Number(env.PORT), fetch: app.fetch });
console.log(`off-the-shelf listening on ${server.url}`);
process.on("SIGTERM", async () => {
  server.stop(true);
  await sdk.shutdown();
  redis.disconnect();
  process.exit(0);
});
