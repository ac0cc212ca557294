/**
 * The restore runbook on the production binary (docs/deploy.md, Restoring a
 * backup): a backup brings back a session that was ended after it, and
 * `revoke-all` run before the restored database is served ends it, so its
 * refresh token never works again. Then the chain still verifies.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runBinary, startServer } from "./support/process.ts";
import { type ProductionFixture, startProductionFixture } from "./support/productionEnv.ts";

let fixture: ProductionFixture;

beforeAll(async () => {
  fixture = await startProductionFixture("ts-restore-");
});

afterAll(async () => {
  await fixture.redis.stop();
  rmSync(fixture.dir, { recursive: true, force: true });
});

const post = (url: string, path: string, body: unknown, token?: string) =>
  fetch(`${url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });

test("a session ended after the backup comes back with it; revoke-all before serving ends it", async () => {
  const { env, dir, adminPassword } = fixture;
  expect((await runBinary(["migrate"], env)).code).toBe(0);
  const first = await startServer(env);
  let pair: { access_token: string; refresh_token: string };
  try {
    const res = await post(first.url, "/v1/auth/login", {
      username: "desk-operator",
      password: adminPassword,
    });
    expect(res.status).toBe(200);
    pair = (await res.json()) as typeof pair;
    const backup = await runBinary(["backup"], env);
    expect(backup.code).toBe(0);
    const { path } = JSON.parse(backup.stdout) as { path: string };
    expect((await post(first.url, "/v1/auth/logout", {}, pair.access_token)).status).toBe(204);
    expect(await first.stop()).toBe(0);

    // Restore: the live files move aside, the backup takes their place.
    const live = join(dir, "prod.db");
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${live}${suffix}`, { force: true });
    copyFileSync(path, live);
    // The runbook's order: the schema first (a no-op here), then the sessions.
    expect((await runBinary(["migrate"], env)).code).toBe(0);
    const revoked = await runBinary(["revoke-all"], env);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ sessions_ended: 1 });
  } finally {
    if (first.proc.exitCode === null) await first.stop();
  }

  const restored = await startServer(env);
  try {
    const refresh = await post(restored.url, "/v1/auth/refresh", {
      refresh_token: pair.refresh_token,
    });
    expect(refresh.status).toBe(400);
    expect(((await refresh.json()) as { error: { code: string } }).error.code).toBe(
      "invalid_grant",
    );
  } finally {
    expect(await restored.stop()).toBe(0);
  }
  expect((await runBinary(["audit", "verify"], env)).code).toBe(0);
});
