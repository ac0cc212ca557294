/**
 * Refuses a request with more than one Host. RFC 9112 §3.2 requires a 400;
 * Bun joins the lines with ", " and builds the URL from the first, so a proxy
 * routing on the last and this server could disagree about which site was
 * asked. No DNS name holds a comma, so a comma means two lines (or an invalid
 * value).
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";

/** True when `headers` carry more than one Host (or one no DNS name can be). */
export const severalHosts = (headers: Headers): boolean =>
  headers.get("host")?.includes(",") ?? false;

/** 400 `invalid_request` for two Host headers. */
export const singleHost = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  if (severalHosts(c.req.raw.headers)) {
    throw new ApiError("invalid_request", { message: "Send exactly one Host header." });
  }
  await next();
};
