/**
 * Parses `DATABASE_URL` into the adapter and its target. Only two schemes:
 * `sqlite://<path>` (`sqlite://:memory:` for tests) and `postgres://…` /
 * `postgresql://…`.
 * @module
 */
import { StorageError } from "./errors.ts";

/** The SQL dialect behind a database. */
export type Dialect = "sqlite" | "postgres";

/** Where a database lives. */
export type DatabaseTarget =
  | { dialect: "sqlite"; filename: string }
  | { dialect: "postgres"; url: string };

/** The default `DATABASE_URL`. */
export const DEFAULT_DATABASE_URL = "sqlite://./data/trading.db";

/**
 * Parses a database URL. `sqlite://./data/x.db` is relative to the working
 * directory, `sqlite:///var/lib/x.db` is absolute. Throws a
 * {@link StorageError} (`unsupported_url`) that never echoes the URL.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const trimmed = url.trim();
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return { dialect: "postgres", url: trimmed };
  const sqlite = /^sqlite:\/\/(.+)$/i.exec(trimmed);
  if (sqlite) {
    const filename = (sqlite[1] as string).split("?")[0] as string;
    if (filename !== "") return { dialect: "sqlite", filename };
  }
  throw new StorageError(
    "unsupported_url",
    "DATABASE_URL must be sqlite://<path> or postgres://<user>@<host>/<db>",
  );
}

/** Describes a target for logs without credentials: the dialect and, for SQLite, the file. */
export function describeTarget(target: DatabaseTarget): Record<string, string> {
  if (target.dialect === "sqlite") return { dialect: "sqlite", file: target.filename };
  try {
    const u = new URL(target.url);
    return { dialect: "postgres", host: u.hostname, database: u.pathname.slice(1) };
  } catch {
    return { dialect: "postgres" };
  }
}
