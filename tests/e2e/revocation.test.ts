/**
 * Revocation across instances (DESIGN §6): two production-mode processes on
 * one PostgreSQL database and one Redis. After logout, password change,
 * disable and revoke-all on one instance, the other rejects the affected
 * tokens within 1 s; maintenance reaches the other instance within 1 s; one
 * refresh token raced across both instances yields exactly one new pair.
 *
 * Every revocation is preceded by a positive control (the token works on both
 * instances), and the delay is measured from the moment the revoking request
 * returned, polling every 50 ms for at most 1 s.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import {
  call,
  errorCode,
  isInvalidToken,
  login,
  me,
  type PollResult,
  pollUntil,
  refresh,
  type TokenPair,
} from "./support/apiClient.ts";
import type { ServerProcess } from "./support/process.ts";
import { startTwoInstances, type TwoInstances } from "./support/twoInstances.ts";

const WITHIN_MS = 1_000;
let deployment: TwoInstances | undefined;
let adminToken = "";
/** Observed delays (ms) from the revoking response to the first rejection, for the report. */
const observed: Record<string, number> = {};

function instances(): { a: ServerProcess; b: ServerProcess } {
  if (!deployment) throw new Error("deployment did not start");
  return deployment;
}

beforeAll(async () => {
  deployment = await startTwoInstances();
  const pair = await login(deployment.a, deployment.adminUsername, deployment.adminPassword);
  adminToken = pair.access_token;
}, 120_000);

afterAll(async () => {
  await deployment?.stop();
  const rounded = Object.entries(observed).map(([k, v]) => `${k}=${v.toFixed(0)}ms`);
  if (rounded.length > 0) console.info(`revocation delays: ${rounded.join(", ")}`);
}, 20_000);

interface TestUser {
  id: string;
  username: string;
  password: string;
}

/** Creates a user through the admin API on `server`. */
async function createUser(server: ServerProcess, role = "viewer"): Promise<TestUser> {
  const username = `u-${randomBytes(5).toString("hex")}`;
  const password = randomBytes(18).toString("base64url");
  const res = await call(server, "POST", "/v1/admin/users", {
    token: adminToken,
    body: { username, password, role },
  });
  expect(res.status).toBe(201);
  const user = (await res.json()) as { id: string; disabled: boolean };
  expect(user.disabled).toBe(false);
  return { id: user.id, username, password };
}

/** Positive control: `token` is accepted by both instances right now. */
async function expectAcceptedByBoth(token: string): Promise<void> {
  const { a, b } = instances();
  const [onA, onB] = await Promise.all([me(a, token), me(b, token)]);
  expect([onA.status, onB.status]).toEqual([200, 200]);
}

/** Polls `server` with `token` until it answers 401 invalid_token; asserts ≤ 1 s after `since`. */
async function expectRejectedWithin(
  label: string,
  server: ServerProcess,
  token: string,
  since: number,
): Promise<void> {
  const result: PollResult = await pollUntil(() => me(server, token), isInvalidToken, {
    since,
    budgetMs: WITHIN_MS,
  });
  observed[label] = Math.max(observed[label] ?? 0, result.elapsedMs);
  expect({ label, rejected: result.ok, lastStatus: result.lastStatus }).toEqual({
    label,
    rejected: true,
    lastStatus: 401,
  });
  expect(result.elapsedMs).toBeLessThanOrEqual(WITHIN_MS);
  const res = await me(server, token);
  expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  expect(await errorCode(res)).toBe("unauthorized");
}

/** A spent or revoked refresh token: 400 invalid_grant, and the delay since `since` ≤ 1 s. */
async function expectRefreshRefused(
  server: ServerProcess,
  refreshToken: string,
  since: number,
): Promise<void> {
  const res = await refresh(server, refreshToken);
  expect(res.status).toBe(400);
  expect(await errorCode(res)).toBe("invalid_grant");
  expect(performance.now() - since).toBeLessThanOrEqual(WITHIN_MS);
}

describe("revocation across two instances (PostgreSQL + Redis)", () => {
  test("logout on A: B rejects the access token and the refresh token", async () => {
    const { a, b } = instances();
    const user = await createUser(a);
    const first = await login(a, user.username, user.password);
    // Control for the refresh assertion: B can rotate a pair issued by A.
    const rotated = await refresh(b, first.refresh_token);
    expect(rotated.status).toBe(200);
    const pair = (await rotated.json()) as TokenPair;
    await expectAcceptedByBoth(pair.access_token);

    const out = await call(a, "POST", "/v1/auth/logout", { token: pair.access_token });
    expect(out.status).toBe(204);
    const since = performance.now();
    await expectRejectedWithin("logout", b, pair.access_token, since);
    await expectRefreshRefused(b, pair.refresh_token, since);
    expect(isInvalidToken(await me(a, pair.access_token))).toBe(true);
  }, 15_000);

  test("password change on B: A rejects every session of the user", async () => {
    const { a, b } = instances();
    const user = await createUser(a);
    const onA = await login(a, user.username, user.password);
    const onB = await login(b, user.username, user.password);
    await expectAcceptedByBoth(onA.access_token);
    await expectAcceptedByBoth(onB.access_token);

    const newPassword = randomBytes(18).toString("base64url");
    const changed = await call(b, "POST", "/v1/auth/password", {
      token: onB.access_token,
      body: { current_password: user.password, new_password: newPassword },
    });
    expect(changed.status).toBe(204);
    const since = performance.now();
    await Promise.all([
      expectRejectedWithin("password_change", a, onA.access_token, since),
      expectRejectedWithin("password_change", a, onB.access_token, since),
    ]);
    await expectRefreshRefused(a, onA.refresh_token, since);
    await expectRefreshRefused(a, onB.refresh_token, since);

    const stale = await call(a, "POST", "/v1/auth/login", {
      body: { username: user.username, password: user.password },
    });
    expect(stale.status).toBe(401);
    expect(await errorCode(stale)).toBe("invalid_credentials");
    const fresh = await login(a, user.username, newPassword);
    await expectAcceptedByBoth(fresh.access_token);
  }, 15_000);

  test("admin disables the user on A: B rejects the token and refuses the login", async () => {
    const { a, b } = instances();
    const user = await createUser(a);
    const pair = await login(b, user.username, user.password);
    await expectAcceptedByBoth(pair.access_token);

    const patched = await call(a, "PATCH", `/v1/admin/users/${user.id}`, {
      token: adminToken,
      body: { disabled: true },
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { disabled: boolean }).disabled).toBe(true);
    const since = performance.now();
    await expectRejectedWithin("disable", b, pair.access_token, since);
    await expectRefreshRefused(b, pair.refresh_token, since);

    const denied = await call(b, "POST", "/v1/auth/login", {
      body: { username: user.username, password: user.password },
    });
    expect(denied.status).toBe(401);
    expect(await errorCode(denied)).toBe("invalid_credentials");
  }, 15_000);

  test("maintenance switched on A reaches B within 1 s, and so does switching it off", async () => {
    const { a, b } = instances();
    const user = await createUser(a);
    const pair = await login(a, user.username, user.password);
    const quote = () => call(b, "GET", "/v1/market/quotes/AAPL", { token: pair.access_token });
    // Control, and it primes B's cached "off" state: the realistic worst case.
    expect((await quote()).status).toBe(200);

    const setMaintenance = (enabled: boolean) =>
      call(a, "PUT", "/v1/admin/maintenance", {
        token: adminToken,
        body: { enabled, reason: "revocation drill" },
      });
    try {
      const on = await setMaintenance(true);
      expect(on.status).toBe(200);
      expect(((await on.json()) as { enabled: boolean }).enabled).toBe(true);
      const onSince = performance.now();
      const blocked = await pollUntil(
        quote,
        async (res) => res.status === 503 && (await errorCode(res)) === "maintenance",
        { since: onSince, budgetMs: WITHIN_MS },
      );
      observed.maintenance_on = blocked.elapsedMs;
      expect({ blocked: blocked.ok, lastStatus: blocked.lastStatus }).toEqual({
        blocked: true,
        lastStatus: 503,
      });
      const during = await quote();
      expect(during.status).toBe(503);
      expect(Number(during.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(await errorCode(during)).toBe("maintenance");

      const off = await setMaintenance(false);
      expect(off.status).toBe(200);
      const offSince = performance.now();
      const served = await pollUntil(quote, (res) => res.status === 200, {
        since: offSince,
        budgetMs: WITHIN_MS,
      });
      observed.maintenance_off = served.elapsedMs;
      expect({ served: served.ok, lastStatus: served.lastStatus }).toEqual({
        served: true,
        lastStatus: 200,
      });
    } finally {
      await setMaintenance(false);
    }
  }, 15_000);

  test("one refresh token sent to A and B at once: exactly one new pair", async () => {
    const { a, b } = instances();
    const user = await createUser(a);
    let current = await login(a, user.username, user.password);
    for (let round = 0; round < 5; round++) {
      const responses = await Promise.all([
        refresh(a, current.refresh_token),
        refresh(b, current.refresh_token),
      ]);
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 400]);
      const winner = responses.find((r) => r.status === 200) as Response;
      const loser = responses.find((r) => r.status === 400) as Response;
      expect(await errorCode(loser)).toBe("invalid_grant");
      current = (await winner.json()) as TokenPair;
      // The loser was within the reuse grace: the session survives on both instances.
      await expectAcceptedByBoth(current.access_token);
    }
  }, 15_000);

  test("revoke-all on B: A rejects every user's access and refresh tokens", async () => {
    const { a, b } = instances();
    if (!deployment) throw new Error("deployment did not start");
    const { adminUsername, adminPassword } = deployment;
    const viewer = await createUser(a, "viewer");
    const trader = await createUser(a, "trader");
    const pairs: Record<string, TokenPair> = {
      admin_a: await login(a, adminUsername, adminPassword),
      admin_b: await login(b, adminUsername, adminPassword),
      viewer: await login(a, viewer.username, viewer.password),
      trader: await login(b, trader.username, trader.password),
    };
    for (const pair of Object.values(pairs)) await expectAcceptedByBoth(pair.access_token);
    const adminB = pairs.admin_b as TokenPair;

    const revoked = await call(b, "POST", "/v1/admin/revoke-all", { token: adminB.access_token });
    expect(revoked.status).toBe(204);
    const since = performance.now();
    await Promise.all([
      expectRejectedWithin("revoke_all", a, adminToken, since),
      ...Object.values(pairs).map((p) =>
        expectRejectedWithin("revoke_all", a, p.access_token, since),
      ),
    ]);
    for (const pair of Object.values(pairs))
      await expectRefreshRefused(a, pair.refresh_token, since);

    // Not a brick: a login after the revocation works on both instances.
    const after = await login(a, adminUsername, adminPassword);
    await expectAcceptedByBoth(after.access_token);
    adminToken = after.access_token;
  }, 15_000);
});
