/**
 * Success and route-specific failures of the admin routes on `main`, and the
 * revoke-all case, which must run after every other case on `main`.
 */
import { type ConformanceApps, createUser } from "../conformanceApps.ts";
import type { Case } from "./case.ts";

/** The cases, in the order they must run. */
export function adminCases({ main, tokens, get, json }: ConformanceApps): Case[] {
  return [
    { op: "GET /v1/admin/users", status: 200, what: "list", send: () => get("/v1/admin/users") },
    {
      op: "POST /v1/admin/users",
      status: 201,
      what: "a new trader",
      send: () =>
        json("POST", "/v1/admin/users", {
          username: "trader-1",
          password: "trader-password-1",
          role: "trader",
        }),
    },
    {
      op: "POST /v1/admin/users",
      status: 400,
      what: "a role that does not exist",
      code: "invalid_request",
      send: () =>
        json("POST", "/v1/admin/users", {
          username: "someone",
          password: "someone-password",
          role: "superuser",
        }),
    },
    {
      op: "POST /v1/admin/users",
      status: 409,
      what: "a taken username",
      code: "conflict",
      send: () =>
        json("POST", "/v1/admin/users", {
          username: "viewer-1",
          password: "viewer-password-2",
          role: "viewer",
        }),
    },
    {
      op: "PATCH /v1/admin/users/{id}",
      status: 200,
      what: "make a viewer a trader",
      send: async () => {
        const { user } = await createUser(main, tokens.admin, "promoted-1");
        return json("PATCH", `/v1/admin/users/${user.id}`, { role: "trader" });
      },
    },
    {
      op: "PATCH /v1/admin/users/{id}",
      status: 400,
      what: "an empty change",
      code: "invalid_request",
      send: () => json("PATCH", `/v1/admin/users/${tokens.adminId}`, {}),
    },
    {
      op: "PATCH /v1/admin/users/{id}",
      status: 404,
      what: "an unknown id",
      code: "not_found",
      send: () => json("PATCH", "/v1/admin/users/no-such-user", { role: "viewer" }),
    },
    {
      op: "PATCH /v1/admin/users/{id}",
      status: 409,
      what: "disabling the last enabled admin",
      code: "conflict",
      send: () => json("PATCH", `/v1/admin/users/${tokens.adminId}`, { disabled: true }),
    },
    {
      op: "GET /v1/admin/maintenance",
      status: 200,
      what: "off",
      send: () => get("/v1/admin/maintenance"),
    },
    {
      op: "PUT /v1/admin/maintenance",
      status: 200,
      what: "stays off",
      send: () => json("PUT", "/v1/admin/maintenance", { enabled: false }),
    },
    {
      op: "PUT /v1/admin/maintenance",
      status: 400,
      what: "a misspelled reason",
      code: "invalid_request",
      send: () => json("PUT", "/v1/admin/maintenance", { enabled: true, reson: "typo" }),
    },
    {
      op: "GET /v1/admin/audit",
      status: 200,
      what: "a page of events",
      send: () => get("/v1/admin/audit?limit=5"),
    },
    {
      op: "GET /v1/admin/audit",
      status: 400,
      what: "limit=0",
      code: "invalid_request",
      send: () => get("/v1/admin/audit?limit=0"),
    },
    {
      op: "GET /v1/admin/audit/verify",
      status: 200,
      what: "an intact chain",
      send: () => get("/v1/admin/audit/verify"),
    },
    {
      op: "GET /v1/admin/status",
      status: 200,
      what: "status",
      send: () => get("/v1/admin/status"),
    },
  ];
}

/** Last on `main`: revoke-all ends every session. */
export function revokeAllCases({ main, tokens }: ConformanceApps): Case[] {
  return [
    {
      op: "POST /v1/admin/revoke-all",
      status: 204,
      what: "every session ends",
      send: () => main.send("/v1/admin/revoke-all", { method: "POST", token: tokens.admin }),
    },
  ];
}
