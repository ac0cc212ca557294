/**
 * Cases on `down`, whose database is gone: 503 on every /v1 route, and
 * `/readyz` says so.
 */
import type { ConformanceApps } from "../conformanceApps.ts";
import type { Operation } from "../openApiDocument.ts";
import type { Case } from "./case.ts";
import { concrete, sampleRequest } from "./sampleRequests.ts";

/** The outage cases: `/readyz`, then each /v1 route among `operations`. */
export function outageCases({ down, downToken }: ConformanceApps, operations: Operation[]): Case[] {
  return [
    {
      op: "GET /readyz",
      status: 503,
      what: "the database does not answer",
      send: () => down.send("/readyz"),
    },
    ...operations
      .filter((o) => o.path.startsWith("/v1/"))
      .map(
        (o): Case => ({
          op: o.key,
          status: 503,
          what: "the database does not answer",
          code: "service_unavailable",
          send: () => down.send(concrete(o.path), sampleRequest(o, { token: downToken })),
        }),
      ),
  ];
}
