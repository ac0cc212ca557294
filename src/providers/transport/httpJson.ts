/**
 * One outbound GET returning parsed JSON, with the failure mapping every
 * adapter shares and a CLIENT span per attempt. Credentials travel in
 * headers, or in query parameters listed as `secretParams`, which are
 * replaced by `[redacted]` in every message and span attribute.
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import {
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { type Clock, systemClock } from "../../clock/index.ts";
import { readCapped } from "../../net/readCapped.ts";
import { ProviderError } from "../errors.ts";
import { ACCEPT_ENCODING, decodeBody, isUndecodableBodyError } from "./contentEncoding.ts";
import { retryAfterMs } from "./retryAfter.ts";

/** A GET to send. */
export interface JsonRequest {
  provider: string;
  baseUrl: string;
  path: string;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  /** Query parameters that carry credentials (redacted everywhere). */
  secretParams?: readonly string[];
  /** Clock for Retry-After dates when no call context is installed. */
  clock?: Clock;
  /** Largest body read, in bytes (default {@link MAX_BODY_BYTES}). */
  maxBytes?: number;
}

/**
 * Largest provider body read: far above a full page (10 000 Alpaca bars are
 * ~1 MB), far below what stalls the event loop. The body is read, parsed and
 * validated in one piece, which no timeout can interrupt: an 85 MB page held
 * the loop for ~3 s and ~1 GB of memory before this cap.
 */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * Largest latest-quote body: one symbol's quote is a few hundred bytes from
 * every provider. The quote route is the hot one; a compromised or broken
 * upstream should not make each of its calls parse megabytes on the loop.
 */
export const QUOTE_BODY_BYTES = 64 * 1024;

/** Largest social-sentiment body (Finnhub: a week of hourly rows is ~50 KB). */
export const SENTIMENT_BODY_BYTES = 1024 * 1024;

/** Per-call context: the clock for Retry-After dates and the parent span. */
export interface CallContext {
  clock: Clock;
  /** Parent of the CLIENT span (the provider operation span). */
  parent?: Context;
  /** Number of this attempt's predecessors (`http.request.resend_count`). */
  resendCount?: number;
  /**
   * Awaited before each HTTP request of the attempt. The pipeline took one token
   * for the attempt; an attempt that pages (Alpaca) pays for each further request
   * here, waiting a little for it, or is refused before sending.
   */
  beforeRequest?: (signal: AbortSignal) => Promise<void>;
  /** Pays for `count` requests about to go out together (a fan-out), all or none. */
  reserveRequests?: (count: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Pays up front for `count` requests the caller is about to send at once, so a
 * fan-out is refused whole rather than after some of it went out. Without a
 * call context (tests of an adapter alone), nothing to pay.
 */
export async function reserveRequests(count: number, signal: AbortSignal): Promise<void> {
  await callStore.getStore()?.reserveRequests?.(count, signal);
}

const tracer = trace.getTracer("trading-server/providers");
const callStore = new AsyncLocalStorage<CallContext>();

/** Runs `fn` with `call` as the context of every request it sends (parent span, attempt number). */
export function withCallContext<T>(call: CallContext, fn: () => Promise<T>): Promise<T> {
  return callStore.run(call, fn);
}

/** The request URL, and the same URL safe to print. */
export function buildUrl(req: JsonRequest): { url: URL; redacted: string } {
  const base = req.baseUrl.endsWith("/") ? req.baseUrl.slice(0, -1) : req.baseUrl;
  const url = new URL(`${base}${req.path}`);
  for (const [key, value] of Object.entries(req.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  const printable = new URL(url);
  // Credentials in the base URL (`https://user:pass@host`) are never printed either.
  if (printable.username !== "") printable.username = "[redacted]";
  if (printable.password !== "") printable.password = "[redacted]";
  for (const key of req.secretParams ?? []) {
    if (printable.searchParams.has(key)) printable.searchParams.set(key, "[redacted]");
  }
  return { url, redacted: printable.toString() };
}

/**
 * The error of a non-2xx answer. 401 is our credentials (every call fails: counted by the
 * breaker). 404 is a `bad_response`: none of our providers says "unknown symbol" with it
 * (they answer 200 with an empty or zeroed body, which the adapters map to `not_found`),
 * so it means a wrong base URL, a proxy's page or an outage; as `not_found` it bypassed the
 * cache and never counted toward the breaker. Any other 4xx but 408 and 429 is about this
 * request, not the provider's health (`rejected`). `Retry-After` is read where RFC 9110
 * gives it meaning: 429 and 503.
 */
function statusError(provider: string, res: Response, now: number, where: string): ProviderError {
  const status = res.status;
  const options = { status };
  const withWait = () => {
    const wait = retryAfterMs(res.headers, now);
    return wait === undefined ? options : { ...options, retryAfterMs: wait };
  };
  if (status === 401) return new ProviderError(provider, "auth", `401 from ${where}`, options);
  if (status === 404) {
    return new ProviderError(provider, "bad_response", `404 from ${where} (base URL?)`, options);
  }
  if (status === 429) {
    return new ProviderError(provider, "rate_limited", `429 from ${where}`, withWait());
  }
  if ((status >= 500 && status <= 599) || status === 408) {
    const details = status === 503 ? withWait() : options;
    return new ProviderError(provider, "unavailable", `${status} from ${where}`, details);
  }
  if (status >= 400 && status <= 499) {
    return new ProviderError(provider, "rejected", `${status} from ${where}`, options);
  }
  return new ProviderError(provider, "bad_response", `unexpected ${status} from ${where}`, options);
}

async function send(
  req: JsonRequest,
  signal: AbortSignal,
  call: CallContext,
  span: Span,
): Promise<unknown> {
  const { url, redacted } = buildUrl(req);
  const where = `GET ${redacted}`;
  let headers: Headers;
  try {
    headers = new Headers({
      accept: "application/json",
      "accept-encoding": ACCEPT_ENCODING,
      ...req.headers,
    });
  } catch {
    // A key with CR/LF or non-Latin-1 characters cannot travel in a header: a
    // configuration fault, not an unreachable provider worth retrying.
    span.setAttribute("error.type", "invalid_credential_header");
    throw new ProviderError(
      req.provider,
      "auth",
      `a credential header for ${where} is not valid HTTP`,
    );
  }
  let res: Response;
  try {
    res = await fetch(url, {
      headers,
      signal,
      // A redirect is not followed (a key must not travel to another host) and is an
      // unexpected status, not a network failure worth retrying.
      redirect: "manual",
      // Decoded by us, bounded (contentEncoding.ts): Bun's own decoder inflates a bomb whole.
      decompress: false,
    });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    span.setAttribute("error.type", "connection");
    throw new ProviderError(req.provider, "unavailable", `cannot reach ${where}`, {
      cause: error instanceof Error ? error.name : undefined,
    });
  }
  span.setAttribute("http.response.status_code", res.status);
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    span.setAttribute("error.type", String(res.status));
    throw statusError(req.provider, res, call.clock.now(), where);
  }
  const maxBytes = req.maxBytes ?? MAX_BODY_BYTES;
  let body: Buffer | undefined;
  try {
    body = await readCapped(res, maxBytes);
  } catch {
    if (signal.aborted) throw signal.reason;
    throw new ProviderError(req.provider, "unavailable", `body of ${where} was cut off`);
  }
  try {
    if (body !== undefined) body = decodeBody(body, res.headers.get("content-encoding"), maxBytes);
  } catch (error) {
    if (!isUndecodableBodyError(error)) throw error;
    span.setAttribute("error.type", "undecodable_body");
    throw new ProviderError(req.provider, "bad_response", `${error.message} from ${where}`);
  }
  if (body === undefined) {
    span.setAttribute("error.type", "body_too_large");
    throw new ProviderError(
      req.provider,
      "bad_response",
      `body of ${where} is over ${maxBytes} bytes`,
    );
  }
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    span.setAttribute("error.type", "invalid_json");
    throw new ProviderError(
      req.provider,
      "bad_response",
      `invalid or truncated JSON from ${where}`,
    );
  }
}

/** Sends `req` and returns its parsed JSON body, or throws a ProviderError (or the signal's reason). */
export async function getJson(req: JsonRequest, signal: AbortSignal): Promise<unknown> {
  const call = callStore.getStore() ?? { clock: req.clock ?? systemClock };
  if (signal.aborted) throw signal.reason;
  await call.beforeRequest?.(signal);
  const { url, redacted } = buildUrl(req);
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  const span = tracer.startSpan(
    "GET",
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "http.request.method": "GET",
        "server.address": url.hostname,
        "server.port": port,
        "url.full": redacted,
        "provider.name": req.provider,
        ...(call.resendCount ? { "http.request.resend_count": call.resendCount } : {}),
      },
    },
    call.parent ?? context.active(),
  );
  try {
    return await send(req, signal, call, span);
  } catch (error) {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.name : "error",
    });
    if (signal.aborted) span.setAttribute("error.type", "timeout_or_abort");
    throw error;
  } finally {
    span.end();
  }
}
