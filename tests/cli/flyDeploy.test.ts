/**
 * The Fly deployment runs commands the binary has. Fly runs the release
 * command as the image's CMD, after its ENTRYPOINT (which is the binary
 * itself), so `release_command` must be the arguments, not a path. (The
 * systemd unit's commands run in tests/e2e/deployUnit.test.ts.)
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { main } from "../../src/main.ts";
import { captureIo } from "../support/captureIo.ts";

const ROOT = resolve(import.meta.dir, "../..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const dir = mkdtempSync(join(tmpdir(), "deploy-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A Dockerfile instruction in exec (JSON array) form. */
function execForm(dockerfile: string, instruction: string): string[] {
  const line = dockerfile.split("\n").findLast((l) => l.startsWith(`${instruction} `));
  const argv: unknown = JSON.parse(line?.slice(instruction.length + 1) ?? "null");
  if (!Array.isArray(argv)) throw new Error(`${instruction} is not in exec form`);
  return argv as string[];
}

const dockerfile = read("Dockerfile");
const entrypoint = execForm(dockerfile, "ENTRYPOINT");

test("the image's entrypoint is the binary, and its CMD serves", () => {
  expect(entrypoint).toEqual(["/app/trading-server"]);
  expect(execForm(dockerfile, "CMD")).toEqual(["serve"]);
});

test("Fly's release command, run after the entrypoint, migrates", async () => {
  const fly = Bun.TOML.parse(read("fly.toml")) as { deploy?: { release_command?: string } };
  const release = fly.deploy?.release_command?.split(/\s+/) ?? [];
  const argv = [...entrypoint.slice(1), ...release];
  const url = `sqlite://${join(dir, "release.db")}`;
  const c = captureIo();
  expect(await main(argv, { DATABASE_URL: url }, c.io)).toBe(0);
  expect(c.stderr()).toBe("");
  const again = captureIo();
  expect(await main(argv, { DATABASE_URL: url }, again.io)).toBe(0);
  expect(again.stdout()).toContain("up to date");
});
