/**
 * Gives every request an id: the caller's `X-Request-Id` when it is short and
 * plain (so a proxy's id carries through), otherwise a fresh UUID. The id is
 * echoed in the response and appears in every error body and log line, so
 * one shaped like a token (tokenRedaction.ts: a refresh token is 43 plain
 * characters) is replaced too: it would be logged unredacted on every line.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { redactTokens } from "../../security/tokenRedaction.ts";
import type { AppEnv } from "../context.ts";

const SAFE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Sets `c.var.requestId` and the `X-Request-Id` response header. */
export const requestId = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const usable = incoming && SAFE_ID.test(incoming) && redactTokens(incoming) === incoming;
  const id = usable ? incoming : crypto.randomUUID();
  c.set("requestId", id);
  await next();
  // On the final response, not through c.header(): error responses are built afresh.
  c.res.headers.set("X-Request-Id", id);
};
