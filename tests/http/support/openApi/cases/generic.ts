/**
 * Cases built from the document for every operation: 401 without a token or
 * with one that does not verify, 403 for a viewer on admin routes, 413 for a
 * body over BODY_LIMIT, 429 from the spent address, and 400 for an unknown
 * query parameter (or, outside /v1, where no route reads its query, two Host lines).
 */
import type { ConformanceApps } from "../conformanceApps.ts";
import type { Operation } from "../openApiDocument.ts";
import { isAdminPath, isMarketPath, UNLIMITED_PATHS } from "../pathKinds.ts";
import { BODY_LIMIT, SPENT_IP } from "../wiredServer.ts";
import type { Case } from "./case.ts";
import { concrete, sampleRequest } from "./sampleRequests.ts";

/** The generic cases of each of `operations`, on `main`. */
export function genericCases({ main, tokens }: ConformanceApps, operations: Operation[]): Case[] {
  return operations.flatMap((o): Case[] => {
    const path = concrete(o.path);
    const out: Case[] = [];
    if (o.op.security?.length) {
      out.push(
        {
          op: o.key,
          status: 401,
          what: "no token",
          code: "unauthorized",
          send: () => main.send(path, sampleRequest(o)),
        },
        {
          op: o.key,
          status: 401,
          what: "a token that does not verify",
          code: "unauthorized",
          send: () => main.send(path, sampleRequest(o, { token: "not.a.token" })),
        },
      );
    }
    if (o.op.security?.length && isAdminPath(o.path)) {
      out.push({
        op: o.key,
        status: 403,
        what: "a viewer",
        code: "forbidden",
        send: () => main.send(path, sampleRequest(o, { token: tokens.viewer })),
      });
    }
    if (["post", "put", "patch", "delete"].includes(o.method)) {
      out.push({
        op: o.key,
        status: 413,
        what: `a body over BODY_LIMIT (${BODY_LIMIT} bytes)`,
        code: "payload_too_large",
        send: () =>
          main.send(path, {
            method: o.method.toUpperCase(),
            body: JSON.stringify({ padding: "x".repeat(BODY_LIMIT) }),
          }),
      });
    }
    if (!UNLIMITED_PATHS.has(o.path)) {
      out.push({
        op: o.key,
        status: 429,
        what: "from an address out of its limit",
        code: "rate_limited",
        send: () => main.send(path, sampleRequest(o, { ip: SPENT_IP })),
      });
    }
    const v1 = o.path.startsWith("/v1/");
    const token = isMarketPath(o.path) ? tokens.viewer : tokens.admin;
    out.push({
      op: o.key,
      status: 400,
      // Outside /v1 no route reads its query; two Host lines are refused on every path.
      what: v1 ? "an unknown query parameter" : "two Host lines",
      code: "invalid_request",
      send: () =>
        v1
          ? main.send(`${path}?unknown_parameter=1`, sampleRequest(o, { token }))
          : main.send(path, { ...sampleRequest(o, { token }), host: "localhost, evil.example" }),
    });
    return out;
  });
}
