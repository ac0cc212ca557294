import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { runAuditVerify } from "../../src/cli/audit.ts";
import { runBackupCommand } from "../../src/cli/backup.ts";
import { ManualClock } from "../../src/clock/index.ts";
import { backupDatabase } from "../../src/storage/backup.ts";
import { isStorageError, migrate, openDatabase } from "../../src/storage/index.ts";
import { captureIo } from "../support/captureIo.ts";

async function withDatabase(fn: (dir: string, url: string) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), "ts-backup-"));
  try {
    const url = `sqlite://${join(dir, "trading.db")}`;
    const db = await openDatabase(url);
    await migrate(db);
    await db.sql`INSERT INTO settings (key, value, updated_at) VALUES ('k', 'v', 1)`;
    await db.close();
    await fn(dir, url);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("backup writes a consistent, owner-only, timestamped copy and never overwrites", async () => {
  await withDatabase(async (dir, url) => {
    const clock = new ManualClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    const first = await backupDatabase(url, { clock });
    expect(first.path).toBe(join(dir, "backups", "trading-20260102T030405Z.db"));
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    const copy = await openDatabase(`sqlite://${first.path}`);
    expect(await copy.sql`SELECT value FROM settings WHERE key = 'k'`).toEqual([{ value: "v" }]);
    await copy.close();
    const second = await backupDatabase(url, { clock });
    expect(second.path).toBe(join(dir, "backups", "trading-20260102T030405Z-1.db"));
  });
});

test("backups started in the same second get their own files; a failed one leaves none", async () => {
  await withDatabase(async (dir, url) => {
    const clock = new ManualClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    const previous = process.umask(0);
    try {
      const results = await Promise.all([1, 2, 3].map(() => backupDatabase(url, { clock })));
      expect(new Set(results.map((r) => r.path)).size).toBe(3);
      for (const r of results) expect(statSync(r.path).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(previous);
    }
    // A valid header (the database opens) over garbage pages: VACUUM INTO fails midway.
    const file = join(dir, "trading.db");
    const bytes = readFileSync(file);
    bytes.fill(0xa5, 4096);
    writeFileSync(file, bytes);
    const failed = await backupDatabase(url, { clock }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    expect(readdirSync(join(dir, "backups"))).toHaveLength(3);
  });
});

test("a failed first backup leaves no backups directory; a file that is no database makes none", async () => {
  await withDatabase(async (dir, url) => {
    const file = join(dir, "trading.db");
    const bytes = readFileSync(file);
    bytes.fill(0xa5, 4096); // opens, then VACUUM INTO fails midway
    writeFileSync(file, bytes);
    const out = join(dir, "new", "nested");
    expect(await backupDatabase(url, { dir: out }).catch((e: unknown) => e)).toBeInstanceOf(Error);
    expect(readdirSync(dir)).not.toContain("new");
    writeFileSync(file, "not a database at all, just text that is long enough to be read");
    expect(await backupDatabase(url).catch((e: unknown) => e)).toBeInstanceOf(Error);
    expect(readdirSync(dir)).not.toContain("backups");
  });
});

test("backup refuses PostgreSQL, memory and missing files", async () => {
  for (const url of [
    "postgres://u:pw@127.0.0.1/x",
    "sqlite://:memory:",
    "sqlite:///nonexistent/dir/x.db",
  ]) {
    const error = await backupDatabase(url).catch((e: unknown) => e);
    expect(isStorageError(error) && error.kind).toBe("backup_failed");
  }
});

test("backup command prints the path; --output-dir chooses the directory", async () => {
  await withDatabase(async (dir, url) => {
    const out = captureIo();
    const code = await runBackupCommand(
      ["--output-dir", join(dir, "elsewhere")],
      { DATABASE_URL: url, ENVIRONMENT: "development" },
      out.io,
    );
    expect(code).toBe(0);
    const printed = JSON.parse(out.stdout()) as { path: string; bytes: number };
    expect(readdirSync(join(dir, "elsewhere"))).toHaveLength(1);
    expect(printed.bytes).toBeGreaterThan(0);
    const usage = captureIo();
    expect(await runBackupCommand(["--bogus"], { DATABASE_URL: url }, usage.io)).toBe(2);
  });
});

test("an output directory that is a file is named as such, and nothing is written", async () => {
  await withDatabase(async (dir, url) => {
    const file = join(dir, "not-a-dir");
    writeFileSync(file, "x");
    const out = captureIo();
    const code = await runBackupCommand(
      ["--output-dir", file],
      { DATABASE_URL: url, ENVIRONMENT: "development" },
      out.io,
    );
    expect(code).toBe(1);
    expect(out.stderr()).toContain("the output directory is a file, not a directory");
    expect(out.stderr()).not.toContain("EEXIST");
    expect(readFileSync(file, "utf8")).toBe("x");
  });
});

test("a backup is one file, and reading it (audit verify) leaves no -wal or -shm beside it", async () => {
  await withDatabase(async (dir, url) => {
    const { path } = await backupDatabase(url, { dir: join(dir, "out") });
    // Bytes 18–19 of a SQLite header: 1 for a rollback journal, 2 for WAL.
    expect([...readFileSync(path).subarray(18, 20)]).toEqual([1, 1]);
    const io = captureIo();
    expect(await runAuditVerify({ DATABASE_URL: `sqlite://${path}` }, io.io)).toBe(0);
    expect(readdirSync(join(dir, "out"))).toEqual([basename(path)]);
    // Restored and served, it is a WAL database again.
    const db = await openDatabase(`sqlite://${path}`);
    expect((await db.sql<{ journal_mode: string }>`PRAGMA journal_mode`)[0]?.journal_mode).toBe(
      "wal",
    );
    await db.close();
  });
});
