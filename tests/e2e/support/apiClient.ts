/**
 * A thin HTTP client for the binary's API, plus the bounded poll the
 * revocation tests measure with: poll every 50 ms until a condition holds,
 * give up at a deadline, report the elapsed time.
 * @module
 */
import type { ServerProcess } from "./process.ts";

/** A token pair from login or refresh. */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
}

/** Sends `method path` to `server`, with an optional bearer token and JSON body. */
export function call(
  server: ServerProcess,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  return fetch(`${server.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(5_000),
  });
}

/** The pinned error code of an error response (consumes the body). */
export async function errorCode(res: Response): Promise<string | undefined> {
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
  return body.error?.code;
}

/** Logs in on `server`; throws unless the answer is 200 with a pair. */
export async function login(
  server: ServerProcess,
  username: string,
  password: string,
): Promise<TokenPair> {
  const res = await call(server, "POST", "/v1/auth/login", { body: { username, password } });
  if (res.status !== 200) throw new Error(`login ${username} on ${server.url}: ${res.status}`);
  return (await res.json()) as TokenPair;
}

/** Spends `refreshToken` on `server`; returns the raw response. */
export function refresh(server: ServerProcess, refreshToken: string): Promise<Response> {
  return call(server, "POST", "/v1/auth/refresh", { body: { refresh_token: refreshToken } });
}

/** `GET /v1/auth/me` with `token`: the cheapest route that runs the full session check. */
export function me(server: ServerProcess, token: string): Promise<Response> {
  return call(server, "GET", "/v1/auth/me", { token });
}

/** The outcome of {@link pollUntil}. */
export interface PollResult {
  /** True when the condition held before the deadline. */
  ok: boolean;
  /** Milliseconds from `since` to the response that satisfied the condition (or to giving up). */
  elapsedMs: number;
  /** Status of the last response seen. */
  lastStatus: number;
  attempts: number;
}

/**
 * Sends `request()` at once and then every `intervalMs` until `accept(res)`
 * holds or `budgetMs` have passed since `since` (a `performance.now()` value).
 * The interval paces the polling; the assertion is on the measured time.
 */
export async function pollUntil(
  request: () => Promise<Response>,
  accept: (res: Response) => boolean | Promise<boolean>,
  options: { since: number; budgetMs?: number; intervalMs?: number },
): Promise<PollResult> {
  const budget = options.budgetMs ?? 1_000;
  const interval = options.intervalMs ?? 50;
  let attempts = 0;
  let lastStatus = 0;
  while (true) {
    attempts += 1;
    const res = await request();
    lastStatus = res.status;
    const elapsedMs = performance.now() - options.since;
    if (await accept(res)) return { ok: elapsedMs <= budget, elapsedMs, lastStatus, attempts };
    await res.body?.cancel();
    if (elapsedMs >= budget) return { ok: false, elapsedMs, lastStatus, attempts };
    await Bun.sleep(Math.min(interval, budget - elapsedMs));
  }
}

/** True for a 401 that says a presented token was refused (`error="invalid_token"`). */
export function isInvalidToken(res: Response): boolean {
  return (
    res.status === 401 &&
    (res.headers.get("www-authenticate") ?? "").includes('error="invalid_token"')
  );
}
