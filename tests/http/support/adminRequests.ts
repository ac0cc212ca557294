/**
 * The admin requests the /v1/admin suites share (adminUsers,
 * adminRevokeAndMaintenance, adminAuditAndOpenApi tests): create a user and
 * PATCH one, as the suite's admin unless told otherwise.
 */
import type { AuthHarness, TokenPairBody } from "../../auth/support/authApp.ts";

/** A user as the admin routes answer it. */
export interface UserJson {
  id: string;
  username: string;
  role: string;
  disabled: boolean;
}

/** The app and the admin's tokens a suite's test acts through (rebuilt before each test). */
export interface AdminSession {
  h: AuthHarness;
  admin: TokenPairBody;
}

/** Request helpers that read `session()` at call time, so they follow the per-test rebuild. */
export function adminRequests(session: () => AdminSession) {
  const createUser = async (username: string, role = "viewer", password = "viewer-password-1") => {
    const { h, admin } = session();
    const res = await h.post(
      "/v1/admin/users",
      { username, password, role },
      { token: admin.access_token },
    );
    return { res, user: res.status === 201 ? ((await res.json()) as UserJson) : undefined };
  };
  const patch = (id: string, body: unknown, token = session().admin.access_token) =>
    session().h.send(`/v1/admin/users/${id}`, {
      method: "PATCH",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
      token,
    });
  return { createUser, patch };
}
