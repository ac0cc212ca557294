import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { Glob } from "bun";

// Reading `Bun.SQL` loads Bun's whole SQL layer (~10 ms of every start), and a value
// import from "bun" is bound when the compiled binary loads. Only the PostgreSQL open
// path may touch it; a SQLite deployment must never pay for it.
const SRC = resolve(import.meta.dir, "../../src");
const ALLOWED = "storage/postgresDatabase.ts";

function codeLines(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line));
}

test("Bun.SQL is read only in the PostgreSQL open path, never imported as a value", () => {
  const offenders: string[] = [];
  for (const path of new Glob("**/*.ts").scanSync(SRC)) {
    const name = relative(SRC, join(SRC, path));
    for (const line of codeLines(join(SRC, path))) {
      const readsSql = /\bBun\s*\.\s*SQL\b|\bBun\s*\[\s*["']SQL["']\s*\]/.test(line);
      const importsSql =
        /^\s*import\s+(?!type\b)[^;]*\bSQL\b[^;]*from\s+["']bun["']/.test(line) &&
        !/\{\s*type\s+SQL\s*\}/.test(line);
      if ((readsSql && name !== ALLOWED) || importsSql) offenders.push(`${name}: ${line.trim()}`);
    }
  }
  expect(offenders).toEqual([]);
  expect(codeLines(join(SRC, ALLOWED)).some((l) => l.includes("new Bun.SQL("))).toBe(true);
});
