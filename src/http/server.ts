/**
 * Listening and stopping. Graceful shutdown: stop accepting, let in-flight
 * requests finish up to a deadline, then cut what remains and run the
 * close hooks (audit, stores, telemetry flush) in order.
 * @module
 */
import type { Server } from "bun";
import type { Logger } from "../telemetry/logger.ts";

/** Something that can answer requests (the Hono app's `fetch`). */
export type FetchHandler = (
  req: Request,
  env: { server: Server<undefined> },
) => Response | Promise<Response>;

/** Options of {@link listen}. */
export interface ListenOptions {
  hostname: string;
  port: number;
  /** Hard cap on a body Bun will buffer; the app's own limit is lower. */
  maxRequestBodySize: number;
  logger: Logger;
}

/** A running server. */
export interface RunningServer {
  url: URL;
  server: Server<undefined>;
  /** Stops gracefully within `deadlineMs`, then runs `onClosed` hooks. */
  shutdown(deadlineMs: number, onClosed: Array<() => Promise<void>>): Promise<void>;
}

/**
 * Bun hands over a relative `req.url` ("/healthz") when a request has no
 * usable Host: HTTP/1.0 without one (HAProxy's default `httpchk`), an empty
 * or malformed one. Routing needs an absolute URL, so such a request is
 * rebuilt on the bound origin; its socket address still comes from the
 * original (the rebuilt Request has no connection of its own).
 */
function onOrigin(req: Request, srv: Server<undefined>, origin: string) {
  const rebuilt = new Request(`${origin}${req.url}`, req);
  // Only requestIP is read from the server (hono/bun getConnInfo, src/http/clientAddress.ts).
  const server = { requestIP: () => srv.requestIP(req) } as unknown as Server<undefined>;
  return [rebuilt, { server }] as const;
}

/** Binds and serves `fetch`. */
export function listen(fetch: FetchHandler, options: ListenOptions): RunningServer {
  let origin = "";
  const server = Bun.serve({
    hostname: options.hostname,
    port: options.port,
    maxRequestBodySize: options.maxRequestBodySize,
    fetch: (req, srv) => {
      if (req.url.charCodeAt(0) !== 47 /* "/" */) return fetch(req, { server: srv });
      const [rebuilt, env] = onOrigin(req, srv, origin);
      return fetch(rebuilt, env);
    },
    error: (err) => {
      options.logger.error("server error", { error: err });
      return new Response(
        '{"error":{"code":"internal","message":"Internal server error.","request_id":"unknown"}}',
        {
          status: 500,
          headers: { "content-type": "application/json; charset=utf-8" },
        },
      );
    },
  });
  origin = server.url.origin;
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    server,
    shutdown(deadlineMs, onClosed) {
      closing ??= (async () => {
        const drained = server.stop(false).then(() => true);
        const timedOut = Bun.sleep(deadlineMs).then(() => false);
        if (!(await Promise.race([drained, timedOut]))) {
          options.logger.warn("shutdown deadline reached; closing remaining connections", {
            deadline_ms: deadlineMs,
          });
          await server.stop(true);
        }
        for (const hook of onClosed) {
          try {
            await hook();
          } catch (err) {
            options.logger.warn("close hook failed", { error: err });
          }
        }
      })();
      return closing;
    },
  };
}
