/**
 * `GET /v1/admin/audit` (newest first, filters, cursor) and
 * `GET /v1/admin/audit/verify` (hash chain check).
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.ts";
import { errorResponse } from "./auth.ts";

/** One audit event as the API shows it. */
export interface AuditEventView {
  seq: number;
  type: string;
  /** ISO-8601 UTC. */
  at: string;
  actor: string | null;
  target: string | null;
  outcome: string;
  ip: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

/** A page query. */
export interface AuditQuery {
  type?: string | undefined;
  actor?: string | undefined;
  /** Epoch ms, inclusive. */
  since?: number | undefined;
  /** Epoch ms, exclusive. */
  until?: number | undefined;
  limit: number;
  /** Only events with a smaller seq (from the previous page's `next_cursor`). */
  beforeSeq?: number | undefined;
}

/** The outcome of a chain check (pinned body). */
export type AuditVerification =
  | { ok: true; checked: number }
  | { ok: false; checked: number; first_bad_seq: number; reason: string };

/** What the audit routes read; the lead adapts the audit log to it. */
export interface AuditReader {
  /** Newest first, at most `limit` events. */
  query(q: AuditQuery): Promise<AuditEventView[]>;
  verify(): Promise<AuditVerification>;
}

const Event = z
  .object({
    seq: z.number().int(),
    type: z.string(),
    at: z.string(),
    actor: z.string().nullable(),
    target: z.string().nullable(),
    outcome: z.string(),
    ip: z.string().nullable(),
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

const instant = z.iso
  .datetime({ offset: true })
  .transform((s) => Date.parse(s))
  .optional();

const Query = z.object({
  type: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/)
    .optional(),
  actor: z.string().min(1).max(64).optional(),
  since: instant,
  until: instant,
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .regex(/^[1-9]\d{0,15}$/)
    .optional(),
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
      const events = await audit.query({
        type: q.type,
        actor: q.actor,
        since: q.since,
        until: q.until,
        limit: q.limit + 1,
        beforeSeq: q.cursor === undefined ? undefined : Number(q.cursor),
      });
      const page = events.slice(0, q.limit);
      const more = events.length > q.limit;
      const last = page.at(-1);
      return c.json({ events: page, next_cursor: more && last ? String(last.seq) : null }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: "get",
      path: "/v1/admin/audit/verify",
      summary: "Check the audit hash chain",
      responses: {
        200: {
          description: "Result",
          content: { "application/json": { schema: Verification } },
        },
        ...denied,
      },
    }),
    async (c) => c.json(await audit.verify(), 200),
  );
}
