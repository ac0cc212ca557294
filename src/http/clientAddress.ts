/**
 * The client-IP middleware for a configuration: the socket's address, or the
 * proxy header `TRUST_PROXY` names. One definition for the full app and the
 * start-up handler, so both log the same address.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { getConnInfo } from "hono/bun";
import type { Config } from "../config/index.ts";
import { clientIpMiddleware } from "../ratelimit/clientIp.ts";
import type { AppEnv } from "./context.ts";

/** Builds the middleware that sets `c.var.clientIp`. */
export function clientIpFromConfig(config: Pick<Config, "TRUST_PROXY">): MiddlewareHandler<AppEnv> {
  return clientIpMiddleware({
    trustProxy: config.TRUST_PROXY,
    // Bun.serve hands its server to app.fetch; in-process requests have none.
    socketAddress: (c) => (c.env ? getConnInfo(c).remote.address : undefined),
  });
}
