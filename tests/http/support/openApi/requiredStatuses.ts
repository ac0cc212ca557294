/**
 * The statuses the coverage test asks each documented operation to be driven
 * to, and the declared ones deliberately left undriven, each with why.
 */
import type { Operation } from "./openApiDocument.ts";
import { isAdminPath } from "./pathKinds.ts";

/**
 * Declared statuses not driven here, each with why. 500 is never driven (it takes a
 * bug). Statuses the document does not list at all are out of scope: 405 with `Allow`
 * (any path, another method: answered by the app's notFound handler, not an
 * operation), 404 for paths no operation has, and the bare statuses of Bun's HTTP
 * parser (README, HTTP API).
 */
const NOT_DRIVEN: Record<string, string> = {
  "POST /v1/auth/password 409":
    "the account changing between the password check and the update: a race, not reproducible in-process",
  "GET /openapi.json 503":
    "only rate_limiter_unavailable, which needs a Redis store that fails (buildServer waits 2 s for it)",
};

/** The statuses `o` must be driven to, sorted: its 2xx, and the failures it can give. */
export function mustDrive(o: Operation): string[] {
  const declared = Object.keys(o.op.responses);
  const has = (s: string) => declared.includes(s);
  const out = new Set(declared.filter((s) => /^2\d\d$/.test(s)));
  if (has("400") || o.op.requestBody !== undefined || (o.op.parameters?.length ?? 0) > 0) {
    out.add("400");
  }
  if (has("401") || (o.op.security?.length ?? 0) > 0) out.add("401");
  // A viewer route has no role below it to refuse; admin routes must refuse a viewer.
  if (isAdminPath(o.path)) out.add("403");
  for (const s of ["404", "409", "413", "429", "503"]) if (has(s)) out.add(s);
  return [...out].filter((s) => !(`${o.key} ${s}` in NOT_DRIVEN)).sort();
}
