/**
 * Builds the running server's dependency graph from the configuration:
 * storage, rate-limit store, auth, providers, and the app on top of them.
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { getConnInfo } from "hono/bun";
import type { Config } from "../config/index.ts";
import type { Logger } from "../telemetry/logger.ts";
import { createApp } from "./app.ts";
import type { AppEnv } from "./context.ts";

/** The assembled server, before it listens. */
export interface BuiltServer {
  app: OpenAPIHono<AppEnv>;
  /** Runs once the port is bound (start-up audit event). */
  started(): Promise<void>;
  /** Close hooks, in order, after the HTTP server drained. */
  onClosed: Array<() => Promise<void>>;
}

/** Assembles every dependency and the app. */
export async function buildServer(
  config: Config,
  logger: Logger,
  version: string,
): Promise<BuiltServer> {
  const app = createApp({
    config,
    logger,
    version,
    readiness: async () => ({}),
    clientIp: async (c, next) => {
      c.set("clientIp", getConnInfo(c).remote.address ?? "unknown");
      await next();
    },
    v1Middleware: [],
    routes: [],
  });
  return { app, started: async () => {}, onClosed: [] };
}
