/**
 * Loads the server's module graph after the port is bound, in slices with a
 * turn of the event loop between them. Evaluating the route modules (zod
 * schemas, OpenAPI metadata) and the providers is ~20 ms of synchronous work
 * on a small machine; a health check that arrives meanwhile should wait for
 * one slice, not for all of them. Modules evaluate once, so a slice loaded
 * here is free when `wiring.ts` imports it again.
 * @module
 */
import { nextTurn } from "../clock/index.ts";
import type * as Wiring from "./wiring.ts";

const SLICES: ReadonlyArray<() => Promise<unknown>> = [
  () => import("@hono/zod-openapi"),
  () => import("../providers/index.ts"),
  () => import("../auth/index.ts"),
  () => import("./routes/auth.ts"),
  () => import("./routes/admin.ts"),
  () => import("./routes/market.ts"),
  () => import("./routes/status.ts"),
];

/** Imports `wiring.ts` slice by slice; resolves with the module. */
export async function loadWiring(): Promise<typeof Wiring> {
  for (const slice of SLICES) {
    await slice();
    await nextTurn();
  }
  return import("./wiring.ts");
}
