/**
 * The RFC 6750 challenges the auth suites expect (authBearer, authRefresh,
 * authSessions tests): the bare one for a request without a bearer token,
 * and the pinned 401 for a token that is refused.
 */
import { expect } from "bun:test";
import { errorOf } from "../../auth/support/authApp.ts";

/** The challenge when no bearer token was sent. */
export const REALM = 'Bearer realm="trading-server"';
/** The challenge when a bearer token was sent and refused. */
export const INVALID = `${REALM}, error="invalid_token"`;

/** Asserts `res` is the pinned 401 for a refused token, challenge included. */
export async function expectInvalidToken(res: Response) {
  expect(res.status).toBe(401);
  expect(res.headers.get("www-authenticate")).toBe(INVALID);
  expect((await errorOf(res)).code).toBe("unauthorized");
}
