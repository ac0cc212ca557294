/**
 * `/v1/auth/*`: login, refresh, logout, me, password (DESIGN §6).
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AuthService, RequestOrigin } from "../../auth/index.ts";
import {
  hasVisibleCharacter,
  MAX_PASSWORD_BYTES,
  MIN_NEW_PASSWORD_CHARS,
  passwordBytes,
  ROLES,
} from "../../auth/index.ts";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAuth } from "../middleware/authenticate.ts";
import { strictJsonText } from "../middleware/strictJsonText.ts";
import { errorResponse } from "./errorSchema.ts";
import { jsonBody } from "./jsonBody.ts";
import { NoQuery } from "./noQuery.ts";

const TOO_LONG = `must be at most ${MAX_PASSWORD_BYTES} bytes`;

/**
 * A password field: a string of at most 1024 UTF-8 bytes. The byte rule is a
 * refinement, which JSON Schema cannot carry; `maxLength` 1024 is published
 * with it (never stricter: a string has no more characters than UTF-8 bytes)
 * and the description states the rule.
 */
export const passwordField = (min = 0) =>
  z
    .string()
    .min(min)
    .max(MAX_PASSWORD_BYTES, { message: TOO_LONG })
    .refine((p) => passwordBytes(p) <= MAX_PASSWORD_BYTES, { message: TOO_LONG })
    // A lone surrogate has no UTF-8 form: hashing would see U+FFFD, and `\ud800` and `\udfff`
    // would be the same password.
    .refine((p) => p.isWellFormed(), { message: "must not contain a lone surrogate" })
    // New passwords only (min > 0): a login still checks whatever was set before.
    .refine((p) => min === 0 || hasVisibleCharacter(p), { message: "must not be only whitespace" })
    .openapi({ description: `At most ${MAX_PASSWORD_BYTES} bytes of UTF-8.` });

// Auth bodies ignore fields they do not define: OAuth-style clients add `grant_type` or
// `client_id`, and nothing here changes meaning by a field left out.
const LoginBody = z
  .object({ username: z.string().min(1).max(256), password: passwordField() })
  .openapi("LoginRequest");
// Any string takes the single invalid_grant path (pinned); the body limit bounds its size.
const RefreshBody = z.object({ refresh_token: z.string() }).openapi("RefreshRequest");
const PasswordBody = z
  .object({
    current_password: passwordField(),
    new_password: passwordField(MIN_NEW_PASSWORD_CHARS),
  })
  .openapi("PasswordChangeRequest");
const TokenPairSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int().openapi({ description: "Seconds the access token lives" }),
    refresh_token: z.string(),
  })
  .openapi("TokenPair");
const Me = z.object({ id: z.string(), username: z.string(), role: z.enum(ROLES) }).openapi("Me");

/** Request facts for audit events. */
export const originOf = (c: Context<AppEnv>): RequestOrigin => ({
  ip: c.get("clientIp"),
  userAgent: c.req.header("user-agent"),
  requestId: c.get("requestId"),
});

const principalOf = (c: Context<AppEnv>) => {
  const p = c.get("principal");
  // requireAuth always sets it; reaching here without one is a wiring bug, not a client error.
  if (!p) throw new ApiError("internal");
  return p;
};

/** Registers the auth routes. */
export function registerAuthRoutes(app: OpenAPIHono<AppEnv>, deps: AuthService): void {
  const bearer = requireAuth("viewer", deps);
  const strictJson = strictJsonText();

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/auth/login",
      operationId: "login",
      tags: ["auth"],
      middleware: [strictJson] as const,
      summary: "Log in with username and password",
      request: { query: NoQuery, body: jsonBody(LoginBody) },
      responses: {
        200: {
          description: "Tokens",
          content: { "application/json": { schema: TokenPairSchema } },
        },
        400: errorResponse("invalid_request"),
        401: errorResponse("invalid_credentials: any login failure"),
        429: errorResponse("rate_limited: too many failures for this account or address"),
        503: errorResponse("service_unavailable: too many logins in progress"),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const pair = await deps.login(body.username, body.password, originOf(c));
      c.header("Cache-Control", "no-store");
      return c.json(pair, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/auth/refresh",
      operationId: "refreshTokens",
      tags: ["auth"],
      middleware: [strictJson] as const,
      summary: "Exchange a refresh token for a new pair (the old one is spent)",
      request: { query: NoQuery, body: jsonBody(RefreshBody) },
      responses: {
        200: {
          description: "Tokens",
          content: { "application/json": { schema: TokenPairSchema } },
        },
        400: errorResponse("invalid_request or invalid_grant"),
      },
    }),
    async (c) => {
      const pair = await deps.refresh(c.req.valid("json").refresh_token, originOf(c));
      c.header("Cache-Control", "no-store");
      return c.json(pair, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/auth/logout",
      operationId: "logout",
      tags: ["auth"],
      summary: "End this session (its access and refresh tokens)",
      security: [{ bearer: [] }],
      middleware: [bearer] as const,
      request: { query: NoQuery },
      responses: { 204: { description: "Logged out" }, 401: errorResponse("unauthorized") },
    }),
    async (c) => {
      const p = principalOf(c);
      await deps.logout(p.userId, p.sessionId, originOf(c));
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/auth/me",
      operationId: "getMe",
      tags: ["auth"],
      summary: "The caller",
      security: [{ bearer: [] }],
      middleware: [bearer] as const,
      request: { query: NoQuery },
      responses: {
        200: { description: "The caller", content: { "application/json": { schema: Me } } },
        401: errorResponse("unauthorized"),
      },
    }),
    (c) => {
      const p = principalOf(c);
      return c.json({ id: p.userId, username: p.username, role: p.role }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/auth/password",
      operationId: "changePassword",
      tags: ["auth"],
      summary: "Change the password; ends every session of the user",
      security: [{ bearer: [] }],
      middleware: [bearer, strictJson] as const,
      request: { query: NoQuery, body: jsonBody(PasswordBody) },
      responses: {
        204: { description: "Changed" },
        400: errorResponse("invalid_request"),
        401: errorResponse("unauthorized, or invalid_credentials for a wrong current password"),
        409: errorResponse("conflict: the account changed meanwhile (password, disabled/enabled)"),
        429: errorResponse("rate_limited"),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const p = principalOf(c);
      await deps.changePassword(p.userId, body.current_password, body.new_password, originOf(c));
      return c.body(null, 204);
    },
  );
}
