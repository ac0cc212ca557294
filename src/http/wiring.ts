/**
 * Builds the running server's dependency graph from the configuration:
 * storage, rate-limit store, auth, audit, providers, and the app on top.
 * Every failure here is a refused start (exit 1), never a half-working server.
 * @module
 */
import { hostname } from "node:os";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { type AuditLog, createAuditLog } from "../audit/index.ts";
import {
  bootstrapAdmin,
  createAuthService,
  createKeyRing,
  logBootstrap,
  recordTo,
  type SessionPruning,
  startSessionPruning,
} from "../auth/index.ts";
import { type Clock, systemClock } from "../clock/index.ts";
import type { Config } from "../config/index.ts";
import { createProviders } from "../providers/index.ts";
// Direct modules, not the ratelimit index, which also loads the Redis store:
// the factory loads it only when REDIS_URL is set.
import { createRateLimitStore } from "../ratelimit/factory.ts";
import { createLoginThrottle, loginBudgetsFromConfig } from "../ratelimit/loginThrottle.ts";
import { rateLimit } from "../ratelimit/middleware.ts";
import { policiesFromConfig } from "../ratelimit/policies.ts";
import { probeRateLimitStore } from "../ratelimit/readiness.ts";
import type { RateLimitStore } from "../ratelimit/types.ts";
import { breakerRegistry } from "../resilience/index.ts";
import type { Database } from "../storage/index.ts";
import type { Logger } from "../telemetry/logger.ts";
import { tracerRegistered } from "../telemetry/sdk.ts";
import { createApp } from "./app.ts";
import { cachedProbe } from "./cachedProbe.ts";
import { clientIpFromConfig } from "./clientAddress.ts";
import type { AppEnv } from "./context.ts";
import { requireAuth, verifyAccessToken } from "./middleware/authenticate.ts";
import { maintenanceGate } from "./middleware/maintenance.ts";
import { registerAdminRoutes } from "./routes/admin.ts";
import { registerAuthRoutes } from "./routes/auth.ts";
import { registerMarketRoutes } from "./routes/market.ts";
import { registerStatusRoute } from "./routes/status.ts";

/** The assembled server, before it listens. */
export interface BuiltServer {
  app: OpenAPIHono<AppEnv>;
  /**
   * Records the start-up audit event and starts background work; run before
   * any request is served. If it throws, run {@link onClosed} to release what
   * was built (no shutdown event is written for a run that never started).
   */
  started(): Promise<void>;
  /** Close hooks, in order, after the HTTP server drained. */
  onClosed: Array<() => Promise<void>>;
}

/**
 * How long start-up waits for the rate-limit store's first connection. The
 * server starts anyway after that (failing closed until Redis answers, and
 * `/readyz` says so); waiting only spares the first requests a needless 503.
 */
const STORE_READY_WAIT_MS = 2_000;

async function untilReady(store: RateLimitStore, maxMs: number): Promise<void> {
  const deadline = performance.now() + maxMs;
  while (store.health().state !== "ready" && performance.now() < deadline) await Bun.sleep(5);
}

/** Signing-key fingerprints for the start/stop audit events: never the keys. */
function keyFingerprints(config: Config): { active_kid: string; previous_kids: string[] } {
  const ring = createKeyRing(
    config.SECURITY_SECRET_KEY as string,
    config.SECURITY_SECRET_KEY_PREVIOUS,
  );
  return {
    active_kid: ring.active.kid,
    previous_kids: [...ring.byKid.keys()].filter((kid) => kid !== ring.active.kid),
  };
}

/** Which machine a run was on (a Fly Machine's id is its host name): one event per instance. */
const host = hostname();

const systemEvent = (
  audit: AuditLog,
  type: "sys_startup" | "sys_shutdown",
  details: Record<string, unknown>,
) =>
  audit.append({
    type,
    actor: null,
    target: null,
    outcome: "success",
    ip: null,
    userAgent: null,
    requestId: null,
    details: { ...details, host, pid: process.pid },
  });

/**
 * Assembles every dependency and the app on a database whose schema already
 * passed the gate (`prepareSchema`). Takes ownership of `db`: it is closed
 * here on failure, and by the returned close hooks otherwise.
 */
export async function buildServer(
  config: Config,
  logger: Logger,
  version: string,
  db: Database,
  clock: Clock = systemClock,
): Promise<BuiltServer> {
  const onClosed: Array<() => Promise<void>> = [];
  onClosed.push(() => db.close());
  try {
    const store = createRateLimitStore(config, logger);
    onClosed.unshift(() => store.close());
    await untilReady(store, STORE_READY_WAIT_MS);
    const audit = createAuditLog(db, {
      clock,
      onForeignRows: ({ headSeq, seq }) =>
        logger.error("audit log: rows past the chain head; the event took the next free seq", {
          head_seq: headSeq,
          seq,
          action: "run `trading-server audit verify`: it names the first row the log did not write",
        }),
    });
    const throttle = createLoginThrottle({ store, ...loginBudgetsFromConfig(config) });
    const auth = createAuthService({ db, config, clock, throttle, audit: recordTo(audit), logger });
    const bootstrap = await bootstrapAdmin(db, config, clock.now(), recordTo(audit));
    logBootstrap(logger, config.ADMIN_USERNAME, bootstrap);
    if (bootstrap.outcome === "updated") {
      // A break-glass reset: the failures that locked the account were guesses at the old
      // password, and the operator locked out is the one who needs in now.
      await throttle.forgive(config.ADMIN_USERNAME).catch((error: unknown) => {
        logger.warn("admin account: login lockout not lifted; it ends with its window", {
          error: { name: error instanceof Error ? error.name : typeof error },
        });
      });
    }
    const providers = createProviders(config, { clock, logger });

    const limiter = rateLimit({
      store,
      environment: config.environment,
      policies: policiesFromConfig(config),
      logger,
    });
    const app = createApp({
      config,
      logger,
      version,
      clock,
      // Telemetry starts before the server is built (cli/serve.ts), so this sees the SDK.
      tracing: tracerRegistered(),
      prebuildOpenApiAfterMs: 1_000,
      readiness: cachedProbe(
        async () => {
          // Probed, not just the connection flag: a SIGSTOPped Redis still looks connected.
          const [database, ratelimit] = await Promise.all([
            db.ping(1000),
            probeRateLimitStore(store),
          ]);
          return {
            database: { ok: database.ok, state: database.state },
            ratelimit: { ok: ratelimit.ok, state: `${store.health().kind}:${ratelimit.state}` },
          };
        },
        { stillValid: () => store.health().state === "ready" },
      ),
      clientIp: clientIpFromConfig(config),
      v1Middleware: [verifyAccessToken(auth), limiter, maintenanceGate(auth)],
      outsideV1Limit: limiter,
      routes: [
        (a) => registerAuthRoutes(a, auth),
        (a) => registerAdminRoutes(a, { auth, audit }),
        (a) =>
          registerStatusRoute(a, {
            authorize: requireAuth("admin", auth),
            status: async () => ({
              breakers: breakerRegistry.list(),
              rate_limit_store: store.health(),
              database: await db.ping(1000),
              maintenance: await auth.maintenance.get(),
            }),
          }),
        (a) =>
          registerMarketRoutes(a, {
            providers,
            authorize: requireAuth("viewer", auth),
            // Default ranges on the providers' clock, or they end before the data they ask for.
            now: () => clock.now(),
          }),
      ],
    });

    let pruning: SessionPruning | undefined;
    onClosed.unshift(async () => {
      await pruning?.stop();
    });
    const fingerprints = keyFingerprints(config);
    return {
      app,
      started: async () => {
        // The chain head goes into the log line too: a copy outside the
        // database, so a rewrite of the whole chain tail can be noticed.
        const head = await audit.head();
        logger.info("audit chain head", { seq: head.seq, chain_head: head.hash });
        await systemEvent(audit, "sys_startup", {
          version,
          environment: config.environment,
          chain_head: head.hash,
          ...fingerprints,
        });
        // Only a run that recorded its start records its end.
        onClosed.unshift(async () => {
          await systemEvent(audit, "sys_shutdown", { version, ...fingerprints });
          // The final head, shutdown event included, logged outside the database: the anchor
          // for this run's last rows (docs/storage.md).
          const end = await audit.head();
          logger.info("audit chain head", { seq: end.seq, chain_head: end.hash });
        });
        pruning = startSessionPruning({ sessions: auth.sessions, clock, logger });
      },
      onClosed,
    };
  } catch (err) {
    for (const close of onClosed) await close().catch(() => undefined);
    throw err;
  }
}
