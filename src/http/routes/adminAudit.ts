/**
 * `GET /v1/admin/audit` (newest first, filters, cursor) and
 * `GET /v1/admin/audit/verify` (hash chain check).
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { type AuditEvent, type AuditLog, decodeCursor, encodeCursor } from "../../audit/index.ts";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";
import { optionalDateTime } from "./dateTime.ts";
import { errorResponse } from "./errorSchema.ts";
import { NoQuery } from "./noQuery.ts";
import { queryInteger } from "./queryInteger.ts";
import { storedText } from "./storedText.ts";

/** What the audit routes read: the audit log (`createAuditLog(db)`). */
export type AuditReader = Pick<AuditLog, "list" | "verify">;

/** The pinned event fields of `GET /v1/admin/audit`. */
const view = (e: AuditEvent) => ({
  seq: e.seq,
  type: e.type,
  at: new Date(e.at).toISOString(),
  actor: e.actor,
  target: e.target,
  outcome: e.outcome,
  ip: e.ip,
  user_agent: e.userAgent,
  request_id: e.requestId,
  details: e.details,
});

const Event = z
  .object({
    seq: z.number().int(),
    type: z.string(),
    at: z.string().openapi({ format: "date-time" }),
    actor: z.string().nullable(),
    target: z.string().nullable(),
    outcome: z.string(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    request_id: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi("AuditEvent");
const Page = z
  .object({ events: z.array(Event), next_cursor: z.string().nullable() })
  .openapi("AuditPage");
const Verification = z
  .object({
    ok: z.boolean(),
    checked: z.number().int(),
    first_bad_seq: z.number().int().optional(),
    reason: z.string().optional(),
  })
  .openapi("AuditVerification");

const instant = (meaning: string) =>
  optionalDateTime(meaning).transform((s) => (s === undefined ? undefined : Date.parse(s)));

// Strict: a filter this route does not have (`?ip=`, a typo) would otherwise be
// ignored and answer every event, read as "all of these match".
const Query = z.strictObject({
  type: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/)
    .optional(),
  actor: storedText()
    .min(1)
    .max(64)
    .optional()
    .openapi({ description: "A user id (as `GET /v1/admin/users` lists it), not a username" }),
  // The account of a failed login or lockout is its target (nobody is signed in: actor null).
  target: storedText().min(1).max(64).optional().openapi({
    description:
      "A user id (the account of a login failure or lockout, the user an admin changed) or a session id",
  }),
  since: instant("Inclusive lower bound of `at`."),
  until: instant("Exclusive upper bound of `at`."),
  limit: queryInteger(1, 500, 50),
  cursor: z.string().max(64).optional(),
});

const pick = (q: {
  type?: string;
  actor?: string;
  target?: string;
  since?: number;
  until?: number;
}) => ({
  type: q.type,
  actor: q.actor,
  target: q.target,
  since: q.since,
  until: q.until,
});

/** Registers the audit routes with the admin route options. */
export function registerAuditRoutes(
  app: OpenAPIHono<AppEnv>,
  options: {
    tags: string[];
    security: Array<Record<string, string[]>>;
    middleware: MiddlewareHandler<AppEnv>;
    audit: AuditReader;
  },
): void {
  const { audit, ...common } = options;
  const denied = { 401: errorResponse("unauthorized"), 403: errorResponse("forbidden") };

  app.openapi(
    createRoute({
      ...common,
      method: "get",
      path: "/v1/admin/audit",
      operationId: "listAuditEvents",
      summary: "Audit events, newest first",
      request: { query: Query },
      responses: {
        200: { description: "A page", content: { "application/json": { schema: Page } } },
        400: errorResponse("invalid_request"),
        ...denied,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      let beforeSeq: number | undefined;
      try {
        beforeSeq = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      } catch {
        throw new ApiError("invalid_request", {
          details: [{ path: "query.cursor", message: "is not a cursor from a previous page" }],
        });
      }
      const events = await audit.list({ ...pick(q), limit: q.limit + 1, beforeSeq });
      const page = events.slice(0, q.limit);
      const last = page.at(-1);
      const next = events.length > q.limit && last ? encodeCursor(last.seq) : null;
      return c.json({ events: page.map(view), next_cursor: next }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: "get",
      path: "/v1/admin/audit/verify",
      operationId: "verifyAuditChain",
      summary: "Check the audit hash chain",
      request: { query: NoQuery },
      responses: {
        200: {
          description: "Result",
          content: { "application/json": { schema: Verification } },
        },
        ...denied,
      },
    }),
    async (c) => {
      const result = await audit.verify();
      // Tampering is an incident: on the error stream, where alerts look, not only in a reply.
      if (!result.ok) {
        c.get("logger")?.error("audit chain verification failed", {
          first_bad_seq: result.first_bad_seq,
          reason: result.reason,
          checked: result.checked,
        });
      }
      return c.json(result, 200);
    },
  );
}
