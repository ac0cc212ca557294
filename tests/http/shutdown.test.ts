/**
 * Graceful shutdown of `listen()`: the close hooks run in order after the
 * drain and share one time budget, so a hook stuck on a stalled dependency
 * cannot hold the process past its supervisor's SIGKILL.
 */
import { expect, test } from "bun:test";
import { listen } from "../../src/http/server.ts";
import { createLogger } from "../../src/telemetry/logger.ts";

const serve = (lines: string[]) =>
  listen(() => new Response("ok"), {
    hostname: "127.0.0.1",
    port: 0,
    maxRequestBodySize: 1024,
    logger: createLogger("info", (line) => lines.push(line)),
  });

test("hooks run in order; one that never ends is cut at the budget and the rest are skipped", async () => {
  const lines: string[] = [];
  const running = serve(lines);
  expect(await (await fetch(running.url)).text()).toBe("ok");
  const ran: string[] = [];
  const started = performance.now();
  await running.shutdown(
    0,
    [
      async () => {
        ran.push("first");
      },
      async () => {
        ran.push("failing");
        throw new Error("store close failed");
      },
      () => {
        ran.push("throwing");
        throw new Error("thrown, not rejected");
      },
      () => {
        ran.push("stuck");
        return new Promise<void>(() => {});
      },
      async () => {
        ran.push("never");
      },
    ],
    50,
  );
  expect(performance.now() - started).toBeLessThan(2_000);
  expect(ran).toEqual(["first", "failing", "throwing", "stuck"]);
  const records = lines.map((l) => JSON.parse(l) as { msg: string; unfinished?: number });
  expect(records.map((r) => r.msg)).toEqual([
    "close hook failed",
    "close hook failed",
    "close hooks cut short; exiting without them",
  ]);
  // The stuck hook and the one never started.
  expect(records[2]?.unfinished).toBe(2);
});

test("hooks that finish in time all run, and shutdown twice is one shutdown", async () => {
  const running = serve([]);
  let count = 0;
  const hooks = [
    async () => {
      count++;
    },
    async () => {
      count++;
    },
  ];
  await Promise.all([running.shutdown(0, hooks, 1_000), running.shutdown(0, hooks, 1_000)]);
  expect(count).toBe(2);
});
