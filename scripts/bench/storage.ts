/**
 * `bun scripts/bench/storage.ts`: SQLite queries per second through the
 * storage layer, the current `bun:sqlite` implementation vs the previous one
 * on `Bun.SQL` (src/storage/database.ts at commit BASELINE, extracted with git
 * into a temp dir), on a typical tagged query, an upsert and a small
 * transaction. Temp files only; bounded (ROUNDS × cases × 2 × BENCH_MS).
 *
 * The box is shared and noisy, so the implementations run in interleaved
 * rounds (the order alternates) and each ratio is the median of the per-round
 * ratios.
 *
 *   BENCH_ROUNDS=5 BENCH_MS=200 bun scripts/bench/storage.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Database, migrate, openDatabase } from "../../src/storage/index.ts";
import { median } from "./median.ts";

/** The last commit with SQLite on Bun.SQL. */
const BASELINE = "06ff223";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION_MS = Number(process.env.BENCH_MS ?? 200);
const ROOT = resolve(import.meta.dir, "../..");
const dir = mkdtempSync(join(tmpdir(), "bench-storage-"));

type Open = (url: string) => Promise<Database>;

/** The baseline database.ts in `dir`, its relative imports pointed back at src/. */
async function loadBaseline(): Promise<Open> {
  const show = Bun.spawnSync(["git", "show", `${BASELINE}:src/storage/database.ts`], { cwd: ROOT });
  if (show.exitCode !== 0) throw new Error(`git show ${BASELINE} failed: ${show.stderr}`);
  const source = show.stdout
    .toString()
    .replace(/from "\.\/([^"]+)"/g, `from "${join(ROOT, "src/storage")}/$1"`)
    .replace(/from "\.\.\/([^"]+)"/g, `from "${join(ROOT, "src")}/$1"`);
  const file = join(dir, "baselineDatabase.ts");
  writeFileSync(file, source);
  return ((await import(file)) as { openDatabase: Open }).openDatabase;
}

let n = 0;
const cases: Record<string, (db: Database) => Promise<unknown>> = {
  "select by key": (db) => db.sql`SELECT key, value, updated_at FROM settings WHERE key = ${"k1"}`,
  upsert: (
    db,
  ) => db.sql`INSERT INTO settings (key, value, updated_at) VALUES (${"k2"}, ${"v"}, ${++n})
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  "transaction (read + write)": (db) =>
    db.transaction(async (tx) => {
      const [row] = await tx.sql<{ updated_at: number }>`
        SELECT updated_at FROM settings WHERE key = ${"k1"}`;
      await tx.sql`UPDATE settings SET updated_at = ${(row?.updated_at ?? 0) + 1} WHERE key = ${"k1"}`;
    }),
};

/** Runs `fn` for about DURATION_MS, one call at a time; returns calls per second. */
async function rate(db: Database, fn: (db: Database) => Promise<unknown>): Promise<number> {
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < DURATION_MS) {
    for (let i = 0; i < 64; i++) await fn(db);
    ops += 64;
    now = performance.now();
  }
  return ops / ((now - start) / 1000);
}

try {
  const impls: Record<string, Database> = {
    "bun:sqlite": await openDatabase(`sqlite://${join(dir, "new.db")}`),
    "Bun.SQL (before)": await (await loadBaseline())(`sqlite://${join(dir, "old.db")}`),
  };
  const names = Object.keys(impls);
  for (const db of Object.values(impls)) {
    await migrate(db);
    await db.sql`INSERT INTO settings (key, value, updated_at) VALUES ('k1', 'v', 1)`;
    for (const fn of Object.values(cases)) await rate(db, fn); // warm-up
  }
  console.log(`SQLite file, WAL; ${ROUNDS} interleaved rounds of ${DURATION_MS} ms each`);
  for (const [label, fn] of Object.entries(cases)) {
    const rates: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? names : [...names].reverse();
      const got: Record<string, number> = {};
      for (const name of order) got[name] = await rate(impls[name] as Database, fn);
      for (const name of names) rates[name]?.push(got[name] as number);
      ratios.push((got[names[0] as string] as number) / (got[names[1] as string] as number));
    }
    const cells = names.map((k) => {
      const r = median(rates[k] as number[]);
      return `${k} ${(1e6 / r).toFixed(1).padStart(6)} µs`;
    });
    console.log(`${label.padEnd(28)} ${cells.join("   ")}   ×${median(ratios).toFixed(2)}`);
  }
  for (const db of Object.values(impls)) await db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
