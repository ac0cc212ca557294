/**
 * Listening and stopping. Graceful shutdown: stop accepting, let in-flight
 * requests finish up to a deadline, then cut what remains and run the
 * close hooks (audit, stores, telemetry flush) in order.
 * @module
 */
import type { Server } from "bun";
import type { Logger } from "../telemetry/logger.ts";
import { pathAndQueryOf } from "./requestPath.ts";

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
  /**
   * Stops gracefully within `deadlineMs`, then runs `onClosed` hooks in order
   * within `hooksBudgetMs` in all (default {@link CLOSE_HOOKS_BUDGET_MS}).
   */
  shutdown(
    deadlineMs: number,
    onClosed: Array<() => Promise<void>>,
    hooksBudgetMs?: number,
  ): Promise<void>;
}

/**
 * Bun hands over a relative `req.url` ("/healthz") when a request has no
 * usable Host: HTTP/1.0 without one (HAProxy's default `httpchk`), an empty
 * or malformed one; some malformed ones (`[`, `x:abc`) give an absolute URL
 * that does not parse. Routing needs a valid absolute URL, so such a request is
 * rebuilt on the bound origin; its socket address still comes from the
 * original (the rebuilt Request has no connection of its own).
 */
function rebuilt(req: Request, srv: Server<undefined>, url: string, init: RequestInit) {
  // Only requestIP is read from the server (hono/bun getConnInfo, src/http/clientAddress.ts).
  const server = { requestIP: () => srv.requestIP(req) } as unknown as Server<undefined>;
  return [new Request(url, init), { server }] as const;
}

/**
 * HEAD is answered as GET without the body but with the GET's Content-Length
 * (RFC 9110 §9.3.2: the same header fields). Hono's own HEAD handling drops
 * the body before its length is known, and Bun then sends `Content-Length: 0`.
 * The access log and the rate limiter see the request as the GET it mirrors.
 */
async function head(fetch: FetchHandler, req: Request, srv: Server<undefined>, url: string) {
  const [get, env] = rebuilt(req, srv, url, {
    method: "GET",
    headers: req.headers,
    signal: req.signal,
  });
  const res = await fetch(get, env);
  const headers = new Headers(res.headers);
  headers.set("Content-Length", String((await res.arrayBuffer()).byteLength));
  return new Response(null, { status: res.status, statusText: res.statusText, headers });
}

/**
 * Time the close hooks (shutdown audit event, stores, span flush) get in all,
 * after the drain: the process is gone at most `SHUTDOWN_TIMEOUT` + this
 * after the signal, inside Fly's and systemd's 30 s before SIGKILL.
 */
export const CLOSE_HOOKS_BUDGET_MS = 5_000;

/** Binds and serves `fetch`. */
export function listen(fetch: FetchHandler, options: ListenOptions): RunningServer {
  let origin = "";
  const server = Bun.serve({
    hostname: options.hostname,
    port: options.port,
    maxRequestBodySize: options.maxRequestBodySize,
    fetch: (req, srv) => {
      const relative = req.url.charCodeAt(0) === 47; /* "/" */
      // A malformed Host (`[`, `x:abc`) makes an absolute URL no Request accepts, and any
      // later `new Request(req)` (the body limit's, on a chunked body) would throw: such a
      // request goes to the bound origin, like one with no Host at all.
      const usable = relative || URL.canParse(req.url);
      const url = relative
        ? `${origin}${req.url}`
        : usable
          ? req.url
          : `${origin}${pathAndQueryOf(req.url)}`;
      if (req.method === "HEAD") return head(fetch, req, srv, url);
      if (!relative && usable) return fetch(req, { server: srv });
      const [absolute, env] = rebuilt(req, srv, url, req);
      return fetch(absolute, env);
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
    shutdown(deadlineMs, onClosed, hooksBudgetMs = CLOSE_HOOKS_BUDGET_MS) {
      closing ??= (async () => {
        const drained = server.stop(false).then(() => true);
        const timedOut = Bun.sleep(deadlineMs).then(() => false);
        if (!(await Promise.race([drained, timedOut]))) {
          options.logger.warn("shutdown deadline reached; closing remaining connections", {
            deadline_ms: deadlineMs,
          });
          await server.stop(true);
        }
        // The hooks share one budget after the drain: with the database stalled, the shutdown
        // event's write and the pool's close each waited 5 s, past a supervisor's SIGKILL.
        const hooksDeadline = performance.now() + hooksBudgetMs;
        for (const [i, hook] of onClosed.entries()) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          const late = new Promise<"late">((resolve) => {
            timer = setTimeout(resolve, Math.max(0, hooksDeadline - performance.now()), "late");
          });
          const outcome = await Promise.race([
            // A hook that throws instead of rejecting is a failed hook too, not a stuck shutdown.
            new Promise<void>((resolve) => resolve(hook())).then(
              () => "done" as const,
              (err: unknown) => {
                options.logger.warn("close hook failed", { error: err });
                return "done" as const;
              },
            ),
            late,
          ]);
          clearTimeout(timer);
          if (outcome === "late") {
            options.logger.warn("close hooks cut short; exiting without them", {
              budget_ms: hooksBudgetMs,
              unfinished: onClosed.length - i,
            });
            break;
          }
        }
      })();
      return closing;
    },
  };
}
