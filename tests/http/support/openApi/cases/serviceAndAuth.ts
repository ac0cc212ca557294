/**
 * Success and route-specific failures of the service routes (health, readiness,
 * the document) and the auth routes, on `main`.
 */
import { ADMIN_PASSWORD } from "../../../../auth/support/authApp.ts";
import { type ConformanceApps, createUser, login } from "../conformanceApps.ts";
import { SPENT_IP } from "../wiredServer.ts";
import type { Case } from "./case.ts";

/** The cases, in the order they must run. */
export function serviceAndAuthCases({ main, tokens, viewer, get, json }: ConformanceApps): Case[] {
  return [
    { op: "GET /healthz", status: 200, what: "liveness", send: () => main.send("/healthz") },
    {
      op: "GET /healthz",
      status: 200,
      what: "from an address out of its rate limit: health checks are not limited",
      send: () => main.send("/healthz", { ip: SPENT_IP }),
    },
    {
      op: "GET /readyz",
      status: 200,
      what: "database and limiter ready",
      send: () => main.send("/readyz"),
    },
    {
      op: "GET /openapi.json",
      status: 200,
      what: "the document itself",
      send: () => main.send("/openapi.json"),
    },
    {
      op: "POST /v1/auth/login",
      status: 200,
      what: "admin credentials",
      send: () => json("POST", "/v1/auth/login", { username: "admin", password: ADMIN_PASSWORD }),
    },
    {
      op: "POST /v1/auth/login",
      status: 400,
      what: "no password",
      code: "invalid_request",
      send: () => main.send("/v1/auth/login", { method: "POST", json: { username: "admin" } }),
    },
    {
      op: "POST /v1/auth/login",
      status: 400,
      what: "a body that is not JSON",
      code: "invalid_request",
      send: () => main.send("/v1/auth/login", { method: "POST", body: "username=admin" }),
    },
    {
      op: "POST /v1/auth/login",
      status: 401,
      what: "unknown user",
      code: "invalid_credentials",
      send: () =>
        main.send("/v1/auth/login", {
          method: "POST",
          json: { username: "nobody-here", password: "wrong password" },
        }),
    },
    {
      op: "POST /v1/auth/refresh",
      status: 200,
      what: "a fresh refresh token",
      send: async () => {
        const pair = await login(main, "viewer-1", viewer.password);
        return main.send("/v1/auth/refresh", {
          method: "POST",
          json: { refresh_token: pair.refresh_token },
        });
      },
    },
    {
      op: "POST /v1/auth/refresh",
      status: 400,
      what: "no refresh_token",
      code: "invalid_request",
      send: () => main.send("/v1/auth/refresh", { method: "POST", json: {} }),
    },
    {
      op: "POST /v1/auth/refresh",
      status: 400,
      what: "an unknown refresh token",
      code: "invalid_grant",
      send: () =>
        main.send("/v1/auth/refresh", { method: "POST", json: { refresh_token: "not-issued" } }),
    },
    {
      op: "POST /v1/auth/logout",
      status: 204,
      what: "a session of its own",
      send: async () => {
        const pair = await login(main, "viewer-1", viewer.password);
        return main.send("/v1/auth/logout", { method: "POST", token: pair.access_token });
      },
    },
    { op: "GET /v1/auth/me", status: 200, what: "the admin", send: () => get("/v1/auth/me") },
    {
      op: "POST /v1/auth/password",
      status: 204,
      what: "a user of its own",
      send: async () => {
        const { password } = await createUser(main, tokens.admin, "changes-password");
        const pair = await login(main, "changes-password", password);
        return json(
          "POST",
          "/v1/auth/password",
          { current_password: password, new_password: "a-new-password-1" },
          pair.access_token,
        );
      },
    },
    {
      op: "POST /v1/auth/password",
      status: 400,
      what: "new password too short",
      code: "invalid_request",
      send: () =>
        json(
          "POST",
          "/v1/auth/password",
          { current_password: viewer.password, new_password: "short" },
          tokens.viewer,
        ),
    },
    {
      op: "POST /v1/auth/password",
      status: 401,
      what: "wrong current password",
      code: "invalid_credentials",
      send: () =>
        json(
          "POST",
          "/v1/auth/password",
          { current_password: "not the password", new_password: "a-new-password-2" },
          tokens.viewer,
        ),
    },
  ];
}
