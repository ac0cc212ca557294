/**
 * SQLite backups with `VACUUM INTO`: a consistent, compacted copy taken while
 * the server keeps running (readers and writers are not blocked for long in
 * WAL mode), checked with `PRAGMA integrity_check`, readable by the owner
 * only (it holds password hashes). PostgreSQL is backed up with `pg_dump` or
 * the provider's snapshots, not here.
 * @module
 */
import { Database as Connection } from "bun:sqlite";
import { closeSync, existsSync, mkdirSync, openSync, rmdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { type Clock, systemClock } from "../clock/index.ts";
import { openDatabase } from "./database.ts";
import { StorageError } from "./errors.ts";
import { parseDatabaseUrl } from "./url.ts";

/** Options of {@link backupDatabase}. */
export interface BackupOptions {
  /** Where to write; default `backups/` next to the database file. */
  dir?: string;
  clock?: Clock;
}

/** A written backup. */
export interface BackupResult {
  path: string;
  bytes: number;
}

/** `20260102T030405Z` for an epoch-ms instant. */
function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/**
 * Copies the SQLite database at `url` to `<dir>/trading-<UTC stamp>.db`.
 * Never overwrites a file. Throws a {@link StorageError} (`backup_failed`) for
 * PostgreSQL, `:memory:`, or a copy that fails its integrity check.
 */
export async function backupDatabase(
  url: string,
  options: BackupOptions = {},
): Promise<BackupResult> {
  const target = parseDatabaseUrl(url);
  if (target.dialect !== "sqlite") {
    throw new StorageError(
      "backup_failed",
      "backup copies SQLite databases only; back up PostgreSQL with pg_dump or snapshots",
    );
  }
  if (target.filename === ":memory:") {
    throw new StorageError("backup_failed", "an in-memory database cannot be backed up");
  }
  if (!existsSync(target.filename)) {
    throw new StorageError("backup_failed", "the database file does not exist");
  }
  const dir = resolve(options.dir ?? join(dirname(target.filename), "backups"));
  // Opened first: a file that is no database fails here, before any directory is made.
  const db = await openDatabase(url);
  let path: string | undefined;
  let madeDir: string | undefined;
  const undo = () => {
    if (path !== undefined) rmSync(path, { force: true });
    // A failed first backup leaves no empty `backups/` behind: the directories this call
    // made, deepest first, each only while empty (a concurrent backup may have written there).
    for (let d = dir; madeDir !== undefined && d.startsWith(madeDir); d = dirname(d)) {
      try {
        rmdirSync(d);
      } catch {
        break; // not empty, or gone: leave it and everything above it
      }
      if (d === madeDir) break;
    }
  };
  try {
    // mkdir's own error for a file in the way is "EEXIST: file already exists, mkdir": say it.
    if (existsSync(dir) && !statSync(dir).isDirectory()) {
      throw new StorageError("backup_failed", "the output directory is a file, not a directory");
    }
    madeDir = mkdirSync(dir, { recursive: true, mode: 0o700 });
    path = createPrivateFile(dir, `trading-${stamp((options.clock ?? systemClock).now())}`);
    // VACUUM INTO accepts an existing empty file and keeps its mode: the copy is never
    // readable by others, not even between its creation and a chmod.
    await db.sql`VACUUM INTO ${path}`;
  } catch (e) {
    undo();
    throw e;
  } finally {
    await db.close();
  }
  try {
    leaveWalMode(path);
  } catch (e) {
    undo();
    throw e;
  }
  if (!passesIntegrityCheck(path)) {
    // Never left where "restore the newest backup" would pick it.
    undo();
    throw new StorageError("backup_failed", "the backup failed its integrity check");
  }
  return { path, bytes: statSync(path).size };
}

/**
 * Creates `<dir>/<base>.db` (or `-1`, `-2`, … when taken) empty, mode 0600, with
 * O_EXCL: two backups in the same second never pick the same name.
 */
function createPrivateFile(dir: string, base: string): string {
  for (let n = 0; n <= 100; n++) {
    const path = join(dir, n === 0 ? `${base}.db` : `${base}-${n}.db`);
    try {
      closeSync(openSync(path, "wx", 0o600));
      // The mode passed to open is reduced by the umask; an umask never widens it.
      return path;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  throw new StorageError("backup_failed", "too many backups with the same timestamp");
}

/**
 * Takes the copy out of WAL mode, which `VACUUM INTO` carries over: a backup in WAL mode grows
 * `-wal` and `-shm` files beside it whenever it is read, even read-only (`audit verify` on a
 * backup left both in `backups/`). A server opening a restored copy puts it back in WAL mode.
 */
function leaveWalMode(path: string): void {
  const copy = new Connection(path, { readwrite: true, create: false });
  try {
    const mode = copy.query<{ journal_mode: string }, []>("PRAGMA journal_mode = DELETE").get();
    if (mode?.journal_mode !== "delete") {
      throw new StorageError("backup_failed", "the backup could not leave WAL mode");
    }
  } finally {
    copy.close();
  }
}

/** True when `PRAGMA integrity_check` finds the SQLite file at `path` sound. */
function passesIntegrityCheck(path: string): boolean {
  let copy: Connection | undefined;
  try {
    copy = new Connection(path, { readonly: true });
    const check = copy.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get();
    return check?.integrity_check === "ok";
  } catch {
    return false;
  } finally {
    copy?.close();
  }
}
