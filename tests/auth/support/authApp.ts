/**
 * An in-process app assembled the way the server assembles it: the lead's
 * `createApp` (request id, body limit, error model, validation hook), then
 * local token verification → real rate limiter on the memory store →
 * maintenance gate on `/v1/*`, then the auth and admin routes, on a real
 * migrated database (SQLite or PostgreSQL) and an injected clock.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { type AuditLog, createAuditLog } from "../../../src/audit/index.ts";
import {
  type AuthAuditEvent,
  type AuthService,
  bootstrapAdmin,
  createAuthService,
  recordTo,
} from "../../../src/auth/index.ts";
import { ManualClock } from "../../../src/clock/index.ts";
import { type Config, loadConfig } from "../../../src/config/index.ts";
import { createApp } from "../../../src/http/app.ts";
import type { AppEnv } from "../../../src/http/context.ts";
import { requireAuth, verifyAccessToken } from "../../../src/http/middleware/authenticate.ts";
import { maintenanceGate } from "../../../src/http/middleware/maintenance.ts";
import { registerAdminRoutes } from "../../../src/http/routes/admin.ts";
import { registerAuthRoutes } from "../../../src/http/routes/auth.ts";
import {
  createLoginThrottle,
  createMemoryStore,
  loginBudgetsFromConfig,
  type MemoryStore,
  policiesFromConfig,
  rateLimit,
} from "../../../src/ratelimit/index.ts";
import type { Database } from "../../../src/storage/index.ts";
import { createLogger, silentLogger } from "../../../src/telemetry/logger.ts";

export const SECRET = "test-signing-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
export const ADMIN_PASSWORD = "admin-password-for-tests";
export const DEFAULT_IP = "198.51.100.7";
/** Fixed start: far from any real clock so nothing depends on the wall time. */
export const T0 = 1_800_000_000_000;

/** One running instance of the app. */
export interface AuthHarness {
  app: OpenAPIHono<AppEnv>;
  auth: AuthService;
  clock: ManualClock;
  store: MemoryStore;
  config: Config;
  /** Audit events recorded by this instance, oldest first (also appended to `auditLog`). */
  events: AuthAuditEvent[];
  /** The real hash-chained audit log on the same database. */
  auditLog: AuditLog;
  /** Sends a request as client `ip` (header x-test-client-ip). */
  send(path: string, init?: RequestInit & { ip?: string; token?: string }): Promise<Response>;
  /** POSTs JSON. */
  post(path: string, body: unknown, opts?: { ip?: string; token?: string }): Promise<Response>;
  /** Logs in and returns the token pair (throws on failure). */
  login(username: string, password: string, ip?: string): Promise<TokenPairBody>;
}

export interface TokenPairBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
}

/** The pinned error body. */
export interface ErrorBodyJson {
  error: {
    code: string;
    message: string;
    request_id: string;
    details?: { path: string; message: string }[];
  };
}

const clientIpFromTestHeader: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("clientIp", c.req.header("x-test-client-ip") ?? DEFAULT_IP);
  await next();
};

/** Options of {@link buildAuthHarness}. */
export interface HarnessOptions {
  env?: Record<string, string>;
  clock?: ManualClock;
  /** Skip the admin bootstrap (e.g. when a second instance shares the database). */
  bootstrap?: boolean;
  /** The rate-limit store, to share one between instances (default: a fresh one). */
  store?: MemoryStore;
  /** Collects the app's log lines (default: the app logs nothing). */
  lines?: string[];
  /** Live sessions per user before a login ends the oldest (default: the service's). */
  maxLiveSessions?: number;
}

/** Builds one instance on `db`. */
export async function buildAuthHarness(
  db: Database,
  options: HarnessOptions = {},
): Promise<AuthHarness> {
  const loaded = loadConfig(
    {
      SECURITY_SECRET_KEY: SECRET,
      ADMIN_USERNAME: "admin",
      ADMIN_PASSWORD,
      RATE_LIMIT_ANONYMOUS: "100000/1m",
      RATE_LIMIT_USER: "100000/1m",
      BODY_LIMIT: "8192",
      ...options.env,
    },
    "development",
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const config = loaded.config;
  const clock = options.clock ?? new ManualClock(T0);
  const store = options.store ?? createMemoryStore({ clock });
  const events: AuthAuditEvent[] = [];
  const auditLog = createAuditLog(db, { clock });
  const record = recordTo(auditLog);
  const auth = createAuthService({
    db,
    config,
    clock,
    throttle: createLoginThrottle({ store, ...loginBudgetsFromConfig(config) }),
    ...(options.maxLiveSessions !== undefined && { maxLiveSessions: options.maxLiveSessions }),
    audit: async (event) => {
      events.push(event);
      await record(event);
    },
  });
  if (options.bootstrap !== false) await bootstrapAdmin(db, config, clock.now());

  const app = createApp({
    config: { environment: "development", BODY_LIMIT: config.BODY_LIMIT },
    logger: options.lines
      ? createLogger("info", (line) => options.lines?.push(line))
      : silentLogger,
    version: "test",
    clock,
    readiness: async () => ({}),
    clientIp: clientIpFromTestHeader,
    v1Middleware: [
      verifyAccessToken(auth),
      rateLimit({ store, environment: "development", policies: policiesFromConfig(config) }),
      maintenanceGate(auth),
    ],
    routes: [
      (a) => registerAuthRoutes(a, auth),
      (a) => registerAdminRoutes(a, { auth, audit: auditLog }),
      // A viewer route standing in for market data, to see the gate and roles act.
      (a) =>
        a.get("/v1/market/ping", requireAuth("viewer", auth), (c) =>
          c.json({ user: c.get("principal")?.username }),
        ),
    ],
  });

  const send: AuthHarness["send"] = (path, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("x-test-client-ip", init.ip ?? DEFAULT_IP);
    if (init.token !== undefined) headers.set("authorization", `Bearer ${init.token}`);
    return Promise.resolve(app.request(path, { ...init, headers }));
  };
  const post: AuthHarness["post"] = (path, body, opts = {}) =>
    send(path, {
      method: "POST",
      body: typeof body === "string" ? body : JSON.stringify(body),
      headers: { "content-type": "application/json" },
      ...opts,
    });
  return {
    app,
    auth,
    clock,
    store,
    config,
    events,
    auditLog,
    send,
    post,
    async login(username, password, ip) {
      const res = await post("/v1/auth/login", { username, password }, ip ? { ip } : {});
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
      return (await res.json()) as TokenPairBody;
    },
  };
}

/** Reads an error body. */
export const errorOf = async (res: Response) => ((await res.json()) as ErrorBodyJson).error;
