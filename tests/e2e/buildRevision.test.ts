/**
 * A build names its revision in the version (src/version.ts, scripts/build.ts), so two builds
 * of 0.1.0 can be told apart during an upgrade; a revision that is not semver build metadata
 * is left out rather than printed.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const dir = mkdtempSync(join(tmpdir(), "ts-build-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function versionOf(revision: string): Promise<string> {
  const out = join(dir, "trading-server");
  const build = Bun.spawnSync(["bun", "scripts/build.ts", out], {
    cwd: ROOT,
    env: { ...process.env, BUILD_REVISION: revision },
  });
  expect(build.exitCode).toBe(0);
  return Bun.spawnSync([out, "--version"]).stdout.toString();
}

test("BUILD_REVISION becomes the version's build metadata; a malformed one is left out", async () => {
  expect(await versionOf("3f2a1bc4d5e6-dirty")).toMatch(
    /^trading-server \d+\.\d+\.\d+\+3f2a1bc4d5e6-dirty\n$/,
  );
  expect(await versionOf("a b; rm -rf /")).toMatch(/^trading-server \d+\.\d+\.\d+\n$/);
}, 30_000);
