/**
 * A signal that arrives while the compiled binary is still starting: a start
 * that finishes within the grace closes like any run (sys_startup and
 * sys_shutdown both in the chain), instead of the process leaving with its
 * start-up event in flight.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TestRedis } from "../support/redis.ts";
import { runBinary, startServer } from "./support/process.ts";
import { startProductionFixture } from "./support/productionEnv.ts";

let env: Record<string, string>;
let redis: TestRedis;

beforeAll(async () => {
  ({ env, redis } = await startProductionFixture("ts-startsig-"));
  expect((await runBinary(["migrate"], env)).code).toBe(0);
});
afterAll(async () => {
  await redis.stop();
});

/** Polls `read()` until it contains `text` (bounded). */
async function waitForLog(read: () => string, text: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!read().includes(text)) {
    if (Date.now() > deadline) throw new Error(`no "${text}" in: ${read()}`);
    await Bun.sleep(10);
  }
}

test("SIGTERM while the start-up event waits on a lock: the start completes, then closes cleanly", async () => {
  const file = env.DATABASE_URL?.slice("sqlite://".length) as string;
  // Another process's write transaction: the start-up event waits for it (busy, asynchronously).
  const holder = new Database(file);
  holder.run("BEGIN IMMEDIATE");
  let held = true;
  try {
    // Listening (the start-up app answers /healthz) while the build waits: it cannot finish
    // without writing, at least its sys_startup event, and the lock is held.
    const server = await startServer({ ...env, LOG_LEVEL: "info" });
    server.proc.kill("SIGTERM");
    await waitForLog(server.logs, '"stopped during start-up"');
    holder.run("COMMIT");
    held = false;
    expect(await server.proc.exited).toBe(0);
  } finally {
    if (held) holder.run("ROLLBACK");
    holder.close();
  }
  const db = new Database(file, { readonly: true });
  try {
    const count = (type: string) =>
      db
        .query<{ n: number }, [string]>("SELECT COUNT(*) AS n FROM audit_events WHERE type = ?")
        .get(type)?.n;
    expect([count("sys_startup"), count("sys_shutdown")]).toEqual([1, 1]);
  } finally {
    db.close();
  }
  expect((await runBinary(["audit", "verify"], env)).code).toBe(0);
}, 30_000);
