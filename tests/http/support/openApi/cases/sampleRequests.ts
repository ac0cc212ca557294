/**
 * Requests the generic cases build from the document alone: concrete paths for
 * path templates and a valid body for each operation that takes one.
 */
import type { Operation } from "../openApiDocument.ts";
import type { Req } from "../wiredServer.ts";

/** Values for path parameters in the generic cases (their value does not matter there). */
const PATH_SAMPLES: Record<string, string> = {
  symbol: "AAPL",
  id: "00000000-0000-4000-8000-000000000000",
};

/** `path` with each `{parameter}` replaced by its sample; throws for one without a sample. */
export const concrete = (path: string) =>
  path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = PATH_SAMPLES[name];
    if (value === undefined) throw new Error(`add a sample for path parameter {${name}}`);
    return value;
  });

/** A valid body for each operation that takes one (generic cases send it). */
const SAMPLE_BODIES: Record<string, unknown> = {
  "POST /v1/auth/login": { username: "sample-user", password: "sample-password" },
  "POST /v1/auth/refresh": { refresh_token: "sample-refresh-token" },
  "POST /v1/auth/password": {
    current_password: "sample-password",
    new_password: "sample-password-2",
  },
  "POST /v1/admin/users": { username: "sample-user", password: "sample-password", role: "viewer" },
  "PATCH /v1/admin/users/{id}": { role: "viewer" },
  "PUT /v1/admin/maintenance": { enabled: false },
};

/** A request for `o` with its method and, when it takes one, its sample body; `extra` on top. */
export function sampleRequest(o: Operation, extra: Req = {}): Req {
  const req: Req = { method: o.method.toUpperCase(), ...extra };
  if (o.op.requestBody !== undefined && req.body === undefined) {
    if (!(o.key in SAMPLE_BODIES)) throw new Error(`add a sample body for ${o.key}`);
    req.json = SAMPLE_BODIES[o.key];
  }
  return req;
}
