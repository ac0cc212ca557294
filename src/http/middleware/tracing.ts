/**
 * One SERVER span per request, named `{method} {route}`, continuing an incoming
 * W3C `traceparent`. Written in-house instead of @hono/otel because that
 * middleware lacks the required semantic-convention attributes (`url.path`,
 * `url.scheme`, `client.address`, `error.type`) and sets `url.full`, a client
 * attribute. Without a registered SDK the API's no-op tracer makes this cheap.
 * @module
 */
import {
  type Attributes,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from "@opentelemetry/api";
import type { MiddlewareHandler } from "hono";
import { recordedPath } from "../../security/recordedPath.ts";
import { recordedUserAgent } from "../../security/recordedUserAgent.ts";
import type { AppEnv } from "../context.ts";
import { rawPathOf } from "../requestPath.ts";
import { matchedRoute } from "./matchedRoute.ts";

const headerGetter: TextMapGetter<Headers> = {
  get: (carrier, key) => carrier.get(key) ?? undefined,
  keys: (carrier) => [...carrier.keys()],
};

/** Starts the request span; must run after the client-IP middleware. */
export const tracing = (): MiddlewareHandler<AppEnv> => {
  const tracer = trace.getTracer("trading-server");
  return async (c, next) => {
    const headers = c.req.raw.headers;
    // Most requests carry no trace context: skip the propagators' parsing for them.
    const carried = propagation.fields().some((field) => headers.has(field));
    const parent = carried
      ? propagation.extract(ROOT_CONTEXT, headers, headerGetter)
      : ROOT_CONTEXT;
    // Sliced from the URL rather than parsed by `new URL()` (~1.5 µs a request): the path
    // as received, still percent-encoded.
    const url = c.req.url;
    const attributes: Attributes = {
      "http.request.method": c.req.method,
      // As the access log records it: tokens redacted, at most 512 characters.
      "url.path": recordedPath(rawPathOf(url)),
      "url.scheme": url.startsWith("https:") ? "https" : "http",
      "client.address": c.get("clientIp"),
    };
    const userAgent = c.req.header("user-agent");
    // A token pasted into the User-Agent must not reach the collector (as in audit rows).
    if (userAgent) attributes["user_agent.original"] = recordedUserAgent(userAgent);
    await tracer.startActiveSpan(
      c.req.method,
      { kind: SpanKind.SERVER, attributes },
      parent,
      async (span) => {
        try {
          await next();
        } finally {
          const route = matchedRoute(c);
          const status = c.res.status;
          if (route) {
            span.updateName(`${c.req.method} ${route}`);
            span.setAttribute("http.route", route);
          }
          span.setAttribute("http.response.status_code", status);
          if (status >= 500) {
            span.setAttribute("error.type", c.error?.name ?? String(status));
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          span.end();
        }
      },
    );
  };
};

/** The trace id of the active span, or undefined when there is none. */
export function activeTraceId(): string | undefined {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && ctx.traceId !== "00000000000000000000000000000000" ? ctx.traceId : undefined;
}
