/**
 * Cases for while maintenance is on (the test file turns it on before them and
 * off after): 503 on the data routes before any token is looked at, and the
 * admin reading it back with its reason.
 */
import type { ConformanceApps } from "../conformanceApps.ts";
import type { Operation } from "../openApiDocument.ts";
import { isMarketPath } from "../pathKinds.ts";
import type { Case } from "./case.ts";
import { concrete, sampleRequest } from "./sampleRequests.ts";

/** The maintenance cases for the market-data routes among `operations`, on `main`. */
export function maintenanceCases(
  { main, tokens, get }: ConformanceApps,
  operations: Operation[],
): Case[] {
  return [
    ...operations
      .filter((o) => isMarketPath(o.path))
      .flatMap((o): Case[] => [
        {
          op: o.key,
          status: 503,
          what: "maintenance, no token",
          code: "maintenance",
          send: () => main.send(concrete(o.path), sampleRequest(o)),
        },
        {
          op: o.key,
          status: 503,
          what: "maintenance, a viewer",
          code: "maintenance",
          send: () => main.send(concrete(o.path), sampleRequest(o, { token: tokens.viewer })),
        },
      ]),
    {
      op: "GET /v1/admin/maintenance",
      status: 200,
      what: "on, with its reason",
      send: () => get("/v1/admin/maintenance"),
    },
  ];
}
