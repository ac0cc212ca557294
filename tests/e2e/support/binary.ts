/**
 * The compiled binary under test. CI builds it before `bun test`; locally it
 * is rebuilt when any source file is newer, so end-to-end tests never run a
 * stale binary.
 */
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../../..");
export const BINARY = join(ROOT, "dist", "trading-server");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

let ready: Promise<string> | undefined;

/** Resolves to the path of an up-to-date binary, building it when needed. */
export function compiledBinary(): Promise<string> {
  ready ??= (async () => {
    const built = Bun.file(BINARY);
    const stale =
      !(await built.exists()) ||
      Math.max(newestSource(join(ROOT, "src")), statSync(join(ROOT, "package.json")).mtimeMs) >
        built.lastModified;
    if (stale) {
      const proc = Bun.spawn(["bun", "scripts/build.ts"], {
        cwd: ROOT,
        stdout: "pipe",
        stderr: "pipe",
      });
      if ((await proc.exited) !== 0) {
        throw new Error(`build failed: ${await new Response(proc.stderr).text()}`);
      }
    }
    return BINARY;
  })();
  return ready;
}
