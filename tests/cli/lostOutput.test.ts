/**
 * A command whose output could not be written does not exit 0: `gen-secret >
 * key` on a full disk left an empty file and reported success.
 */
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

const MAIN = resolve(import.meta.dir, "../../src/main.ts");

/** Runs `trading-server <args>` under `sh` with stdout redirected as `redirect` says. */
async function run(args: string, redirect: string) {
  const proc = Bun.spawn(
    ["sh", "-c", `exec "$0" "$1" ${args} ${redirect}`, process.execPath, MAIN],
    {
      stdout: "ignore",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "" },
    },
  );
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  return { code, stderr };
}

test.skipIf(!existsSync("/dev/full"))("stdout on a full disk: exit 1, said on stderr", async () => {
  const full = await run("gen-secret", ">/dev/full");
  expect(full.code).toBe(1);
  expect(full.stderr).toContain("the output could not be written");
});

test("stdout writable: exit 0, as before", async () => {
  expect((await run("gen-secret", ">/dev/null")).code).toBe(0);
});
