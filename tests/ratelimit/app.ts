/**
 * The oracle app for rate-limit tests: request id, client IP from a test
 * header (standing in for the socket address), optional claims, the limiter,
 * the app's error rendering, and a handler that counts its runs.
 */
import { Hono } from "hono";
import type { Environment } from "../../src/config/index.ts";
import type { AppEnv } from "../../src/http/context.ts";
import { errorResponse, isApiError } from "../../src/http/errors.ts";
import {
  clientIpMiddleware,
  type RateLimitPolicies,
  type RateLimitStore,
  rateLimit,
} from "../../src/ratelimit/index.ts";

/** The app plus the count of handler runs, the oracle of every fail-closed test. */
export interface OracleApp {
  app: Hono<AppEnv>;
  handlerRuns(): number;
  /** Sends GET `path` as client `ip` (and user `sub` when given). */
  get(path: string, ip: string, sub?: string): Promise<Response>;
}

export const generousPolicies: RateLimitPolicies = {
  anonymous: { limit: 1_000_000, windowMs: 60_000 },
  user: { limit: 1_000_000, windowMs: 60_000 },
  routes: {},
};

export function oracleApp(
  store: RateLimitStore,
  policies: RateLimitPolicies = generousPolicies,
  environment: Environment = "production",
): OracleApp {
  let runs = 0;
  const app = new Hono<AppEnv>();
  app.use("*", async (c, next) => {
    c.set("requestId", "req-test");
    const sub = c.req.header("x-test-sub");
    if (sub) c.set("claims", { sub, sid: "s", role: "viewer", iat: 0, exp: 0, jti: "j", ver: 1 });
    await next();
  });
  app.use(
    "*",
    clientIpMiddleware({
      trustProxy: undefined,
      socketAddress: (c) => c.req.header("x-test-socket"),
    }),
  );
  app.use("/v1/*", rateLimit({ store, environment, policies }));
  app.get("/v1/*", (c) => {
    runs++;
    return c.json({ ok: true });
  });
  app.onError((err, c) => {
    if (isApiError(err)) return errorResponse(err, c.get("requestId"));
    return c.json({ error: "unexpected" }, 500);
  });
  return {
    app,
    handlerRuns: () => runs,
    get: async (path, ip, sub) => {
      const headers: Record<string, string> = { "x-test-socket": ip };
      if (sub) headers["x-test-sub"] = sub;
      return await app.request(path, { headers });
    },
  };
}
