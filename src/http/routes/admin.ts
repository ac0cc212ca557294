/**
 * `/v1/admin/*` for users, revoke-all, maintenance and the audit log
 * (DESIGN §6). Every route requires the admin role.
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { fromOrigin } from "../../auth/auditTrail.ts";
import {
  type AuthService,
  createUserWithPassword,
  isUsernameTakenError,
  lockAdminChanges,
  MIN_NEW_PASSWORD_CHARS,
  publicUser,
  ROLES,
  type SessionCheck,
  type UserRecord,
} from "../../auth/index.ts";
import { revokeAll } from "../../auth/revokeAll.ts";
import { usernameProblem } from "../../auth/usernamePolicy.ts";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAuth } from "../middleware/authenticate.ts";
import { strictJsonText } from "../middleware/strictJsonText.ts";
import { type AuditReader, registerAuditRoutes } from "./adminAudit.ts";
import { originOf, passwordField } from "./auth.ts";
import { errorResponse } from "./errorSchema.ts";
import { jsonBody } from "./jsonBody.ts";
import { NoQuery } from "./noQuery.ts";
import { storedText } from "./storedText.ts";

const User = z
  .object({ id: z.string(), username: z.string(), role: z.enum(ROLES), disabled: z.boolean() })
  .openapi("User");
const UserList = z.object({ users: z.array(User) }).openapi("UserList");
// Admin bodies are strict: a misspelled field (`"rol"`, `"reson"`) must not pass as left out.
const CreateUser = z
  .strictObject({
    username: z
      .string()
      .min(1)
      .max(256)
      .superRefine((name, ctx) => {
        const problem = usernameProblem(name);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    password: passwordField(MIN_NEW_PASSWORD_CHARS),
    role: z.enum(ROLES),
  })
  .openapi("CreateUserRequest");
// At least one field: a request without a JSON body validates as `{}` (Hono's json
// validator skips other content types), and an empty patch must not pass as a change.
const PatchUser = z
  .object({ role: z.enum(ROLES).optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((patch) => patch.role !== undefined || patch.disabled !== undefined, {
    message: "give role, disabled or both",
  })
  .openapi("UpdateUserRequest", { minProperties: 1 });
/** Switching maintenance: `reason` may be left out (the runbook's `{"enabled":false}`). */
const MaintenanceChange = z
  .strictObject({ enabled: z.boolean(), reason: storedText().max(500).default("") })
  .openapi("MaintenanceChange");
/** The state as read back: always with its reason. */
const Maintenance = z
  .object({ enabled: z.boolean(), reason: z.string().max(500) })
  .openapi("MaintenanceState");

const ok = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { "application/json": { schema } },
});
const denied = {
  401: errorResponse("unauthorized"),
  403: errorResponse("forbidden"),
};

const actorOf = (c: Context<AppEnv>) => c.get("principal")?.userId ?? null;

/**
 * The caller was checked before it queued for the admin-change lock; a change that waited
 * behind its own caller's demotion or disable must not commit with authority that caller no
 * longer has (a concurrency probe: a demoted admin's queued PATCH disabled another admin).
 */
async function assertStillAdmin(
  check: Pick<SessionCheck, "check">,
  c: Context<AppEnv>,
  now: number,
): Promise<void> {
  // The whole session check again: a demotion, a disable, a logout or a revoke-all meanwhile.
  const claims = c.get("claims");
  const result = claims ? await check.check(claims, now) : undefined;
  if (!result?.ok || result.principal.role !== "admin") throw new ApiError("forbidden");
}

/** What the admin routes need. */
export interface AdminDeps {
  auth: AuthService;
  /** The audit log, for `GET /v1/admin/audit` and `/verify`. */
  audit: AuditReader;
}

/** Registers the admin routes. */
export function registerAdminRoutes(app: OpenAPIHono<AppEnv>, deps: AdminDeps): void {
  const { auth } = deps;
  const admin = requireAuth("admin", auth);
  const common = { tags: ["admin"], security: [{ bearer: [] }], middleware: admin };
  /** For routes with a JSON body: its checks come after the caller is known to be an admin. */
  const withBody = { ...common, middleware: [admin, strictJsonText()] };

  app.openapi(
    createRoute({
      ...common,
      method: "get",
      path: "/v1/admin/users",
      operationId: "listUsers",
      summary: "List users",
      request: { query: NoQuery },
      responses: { 200: ok("Users", UserList), ...denied },
    }),
    async (c) => c.json({ users: (await auth.users.list()).map(publicUser) }, 200),
  );

  app.openapi(
    createRoute({
      ...withBody,
      method: "post",
      path: "/v1/admin/users",
      operationId: "createUser",
      summary: "Create a user",
      request: { query: NoQuery, body: jsonBody(CreateUser) },
      responses: {
        201: ok("Created", User),
        400: errorResponse("invalid_request"),
        409: errorResponse("conflict: the username is taken"),
        ...denied,
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const created = (user: UserRecord) =>
        auth.audit({
          type: "user_created",
          actor: actorOf(c),
          target: user.id,
          outcome: "success",
          ...origin(c),
          details: { role: user.role },
        });
      const user = await createUserWithPassword(auth, body, created).catch((e: unknown) => {
        if (isUsernameTakenError(e))
          throw new ApiError("conflict", { message: "The username is taken." });
        throw e;
      });
      return c.json(publicUser(user), 201);
    },
  );

  app.openapi(
    createRoute({
      ...withBody,
      method: "patch",
      path: "/v1/admin/users/{id}",
      operationId: "updateUser",
      summary: "Change a user's role or disable/enable it (disabling ends its sessions)",
      request: {
        query: NoQuery,
        params: z.object({ id: storedText().min(1).max(64) }),
        body: jsonBody(PatchUser),
      },
      responses: {
        200: ok("Updated", User),
        400: errorResponse("invalid_request"),
        404: errorResponse("not_found"),
        409: errorResponse("conflict: would leave no enabled admin"),
        ...denied,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const change = c.req.valid("json");
      const now = auth.clock.now();
      const base = { actor: actorOf(c), target: id, outcome: "success" as const, ...origin(c) };
      // The events are written in the change's transaction: both commit, or neither.
      const updated = await auth.db.transaction(async () => {
        // Count-then-update: two admins must not disable each other at once.
        await lockAdminChanges(auth.db);
        await assertStillAdmin(auth.sessionCheck, c, now);
        const before = await auth.users.findById(id);
        if (!before) throw new ApiError("not_found");
        // The same role and flag again: nothing to change, and no event saying something did.
        const same =
          (change.role ?? before.role) === before.role &&
          (change.disabled ?? before.disabled) === before.disabled;
        if (same) return before;
        const losesAdmin =
          before.role === "admin" &&
          !before.disabled &&
          (change.disabled === true || (change.role !== undefined && change.role !== "admin"));
        if (losesAdmin && (await auth.users.countActiveAdmins()) <= 1) {
          throw new ApiError("conflict", { message: "This would leave no enabled admin." });
        }
        const after = await auth.users.update(id, change, now);
        if (!after) throw new ApiError("not_found");
        if (after.disabled && !before.disabled) {
          await auth.sessions.revokeAllOfUser(id, "user_disabled", now);
        }
        await auth.audit({
          ...base,
          type: "user_updated",
          details: { role: after.role, disabled: after.disabled },
        });
        if (after.disabled && !before.disabled)
          await auth.audit({ ...base, type: "user_disabled" });
        return after;
      });
      return c.json(publicUser(updated), 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: "post",
      path: "/v1/admin/revoke-all",
      operationId: "revokeAllSessions",
      summary: "Emergency: every access and refresh token of every user stops working",
      request: { query: NoQuery },
      responses: { 204: { description: "Revoked" }, ...denied },
    }),
    async (c) => {
      await revokeAll(auth.db, auth.clock.now(), auth.audit, { actor: actorOf(c), ...origin(c) });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: "get",
      path: "/v1/admin/maintenance",
      operationId: "getMaintenance",
      summary: "Maintenance state",
      request: { query: NoQuery },
      responses: { 200: ok("State", Maintenance), ...denied },
    }),
    async (c) => c.json(await auth.maintenance.get(), 200),
  );

  app.openapi(
    createRoute({
      ...withBody,
      method: "put",
      path: "/v1/admin/maintenance",
      operationId: "setMaintenance",
      summary: "Turn maintenance on or off for every instance",
      request: { query: NoQuery, body: jsonBody(MaintenanceChange) },
      responses: {
        200: ok("New state", Maintenance),
        400: errorResponse("invalid_request"),
        ...denied,
      },
    }),
    async (c) => {
      const asked = c.req.valid("json");
      // The reason says why the service is closed: an open service stores none. A reason
      // sent with "off" is the operator's note on the maintenance_off event only, so a new
      // one while off changes nothing stored and needs no event (none is written).
      const state = asked.enabled ? asked : { enabled: false, reason: "" };
      await auth.maintenance.set(state, async (previous) => {
        // A new reason while on is worth an event (maintenance_on with it).
        const changed =
          previous.enabled !== state.enabled || (state.enabled && previous.reason !== state.reason);
        if (!changed) return;
        await auth.audit({
          type: state.enabled ? "maintenance_on" : "maintenance_off",
          actor: actorOf(c),
          target: null,
          outcome: "success",
          ...origin(c),
          details: { reason: asked.reason },
        });
      });
      return c.json(state, 200);
    },
  );

  registerAuditRoutes(app, { ...common, audit: deps.audit });
}

/** The request fields of an audit event. */
const origin = (c: Context<AppEnv>) => fromOrigin(originOf(c));
