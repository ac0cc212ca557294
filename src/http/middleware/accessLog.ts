/**
 * One JSON log line per request: method, route, status, duration, request id,
 * trace id, client address. Only the path is logged, never the query string
 * or headers, which is where tokens and provider keys travel; a token pasted
 * into the path is redacted (tokenRedaction.ts).
 *
 * A request whose client went away before the answer is logged as 499 (nginx's
 * "client closed request") at info, with the status it would have had: the
 * abort ends provider calls with a 503 nobody receives, and a load balancer's
 * timeout or a closed tab must not read as a server error.
 *
 * Refusals (429) and failing health probes are the exceptions to "one line per
 * request": past a few a second they are counted, not logged (refusalLogSampler.ts).
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { type Clock, systemClock } from "../../clock/index.ts";
import { recordedPath } from "../../security/recordedPath.ts";
import type { Logger } from "../../telemetry/logger.ts";
import type { AppEnv } from "../context.ts";
import { isApiError } from "../errors.ts";
import { PROBE_PATHS } from "../probePaths.ts";
import { createRefusalLogSampler } from "../refusalLogSampler.ts";
import { matchedRoute } from "./matchedRoute.ts";
import { activeTraceId } from "./tracing.ts";

/** nginx's status for a request whose client closed the connection first. */
const CLIENT_CLOSED = 499;

/** Logs each request after it completes; also exposes a request-scoped logger. */
export const accessLog = (
  logger: Logger,
  clock: Clock = systemClock,
): MiddlewareHandler<AppEnv> => {
  const refusals = createRefusalLogSampler(clock);
  // Probes are not rate-limited: while /readyz fails (an outage), a flood of them was a line each.
  const failingProbes = createRefusalLogSampler(clock);

  const log = (c: Context<AppEnv>, started: number): void => {
    const closed = c.req.raw.signal.aborted;
    const status = closed ? CLIENT_CLOSED : c.res.status;
    // By the status the app chose: a refusal whose client left (a 499 line) counts as one too,
    // or a flood of connect-send-close requests escaped the cap.
    const probe = PROBE_PATHS.has(c.req.path);
    if (c.res.status === 429 || (probe && c.res.status >= 300)) {
      const [sampler, summaryMsg] =
        c.res.status === 429
          ? [refusals, "refusals not logged"]
          : [failingProbes, "failing probes not logged"];
      const verdict = sampler.admit(c.get("clientIp"));
      if (!verdict.log) return;
      if (verdict.summary) logger.info(summaryMsg, { ...verdict.summary });
    }
    const fields = {
      method: c.req.method,
      route: matchedRoute(c) ?? null,
      path: recordedPath(c.req.path),
      status,
      ...(closed && { unsent_status: c.res.status }),
      duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
      request_id: c.get("requestId"),
      trace_id: activeTraceId() ?? null,
      client_ip: c.get("clientIp"),
      user_id: c.get("principal")?.userId ?? null,
    };
    // Maintenance 503s are the operator's own doing: not an alert for every refused request.
    // Shed load (a full hash queue) is worth seeing, but is the server working as designed.
    const planned = isApiError(c.error) && c.error.code === "maintenance";
    const shed = !closed && isApiError(c.error) && c.error.shed;
    if (status >= 500 && !planned && !shed) logger.error("request", fields);
    else if (shed) logger.warn("request", fields);
    // A passing probe at debug: a line every few seconds per checker is noise, and a flood of
    // them (unlimited paths) was a flood of lines (3 MB/s in an audit).
    else if (status < 300 && probe) logger.debug("request", fields);
    else logger.info("request", fields);
  };

  return async (c, next) => {
    const started = performance.now();
    c.set("logger", logger.child({ request_id: c.get("requestId") }));
    try {
      await next();
    } finally {
      log(c, started);
    }
  };
};
