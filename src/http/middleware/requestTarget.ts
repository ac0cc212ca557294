/**
 * Refuses a request whose target can be read two ways, before any route or
 * limiter sees it:
 *
 * - **More than one Host.** RFC 9112 §3.2 requires a 400; Bun joins the lines
 *   with ", " and builds the URL from the first, so a proxy routing on the
 *   last and this server could disagree about which site was asked. No DNS
 *   name holds a comma, so a comma means two lines (or an invalid value).
 * - **A query escape that decodes to nothing.** Hono keeps `%zz` or a cut
 *   UTF-8 sequence (`%E2%82`) as sent, so a filter would quietly match that
 *   literal text and answer "nothing found" to a request that asked nothing
 *   well-formed.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";

/** The 1-based position of the first `&`-separated query part that does not decode, or 0. */
export function undecodableQueryPart(url: string): number {
  const start = url.indexOf("?");
  if (start === -1 || url.indexOf("%", start) === -1) return 0;
  const end = url.indexOf("#", start);
  const parts = url.slice(start + 1, end === -1 ? undefined : end).split("&");
  for (const [index, part] of parts.entries()) {
    if (!part.includes("%")) continue;
    try {
      decodeURIComponent(part);
    } catch {
      return index + 1;
    }
  }
  return 0;
}

/** 400 `invalid_request` for two Host headers or a query that is not valid percent-encoding. */
export const requestTarget = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  if (c.req.raw.headers.get("host")?.includes(",")) {
    throw new ApiError("invalid_request", { message: "Send exactly one Host header." });
  }
  const part = undecodableQueryPart(c.req.url);
  if (part !== 0) {
    throw new ApiError("invalid_request", {
      message: "The query string holds a percent escape that is not valid UTF-8.",
      details: [{ path: `query[${part}]`, message: "invalid percent-encoding" }],
    });
  }
  await next();
};
