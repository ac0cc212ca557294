/**
 * Sets `c.var.clientIp` per `TRUST_PROXY`. Unset: the socket address only —
 * `X-Forwarded-For` and `Fly-Client-IP` are ignored, since any client can
 * send them and would otherwise buy a fresh rate-limit budget per request.
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/context.ts";
import { normalizeIp } from "./ipAddress.ts";

/** Options of {@link clientIpMiddleware}. */
export interface ClientIpOptions {
  /** `TRUST_PROXY`: undefined, `fly`, or `xff:N`. */
  trustProxy: string | undefined;
  /** The TCP peer address (e.g. `getConnInfo(c).remote.address` from `hono/bun`). */
  socketAddress: (c: Context<AppEnv>) => string | undefined;
}

/** The address used when the socket address itself is missing or unparseable. */
export const UNKNOWN_CLIENT_IP = "unknown";

/** Picks the client address from `headers` and the socket per `trustProxy`. */
export function resolveClientIp(
  trustProxy: string | undefined,
  headers: { get(name: string): string | null },
  socketAddress: string | undefined,
): string {
  const socket = (socketAddress && normalizeIp(socketAddress)) || UNKNOWN_CLIENT_IP;
  if (trustProxy === "fly") {
    // Fly's proxy overwrites this header; a malformed value falls back to the socket.
    return normalizeIp(headers.get("fly-client-ip") ?? "") ?? socket;
  }
  const xff = trustProxy ? /^xff:(\d{1,2})$/.exec(trustProxy) : null;
  if (xff) {
    const hops = Number(xff[1]);
    const list = (headers.get("x-forwarded-for") ?? "").split(",").map((s) => s.trim());
    // The N-th from the right is the address our N-th trusted proxy saw. A list
    // shorter than N was not written by all our proxies: trust none of it.
    const entry = list.length >= hops ? list[list.length - hops] : undefined;
    return (entry && normalizeIp(entry)) || socket;
  }
  return socket;
}

/** The middleware that sets `clientIp` for every request. */
export function clientIpMiddleware(options: ClientIpOptions): MiddlewareHandler<AppEnv> {
  if (options.trustProxy !== undefined && !/^(fly|xff:[1-9]\d?)$/.test(options.trustProxy)) {
    throw new TypeError("trustProxy must be undefined, fly, or xff:N");
  }
  return async (c, next) => {
    c.set(
      "clientIp",
      resolveClientIp(options.trustProxy, c.req.raw.headers, options.socketAddress(c)),
    );
    await next();
  };
}
