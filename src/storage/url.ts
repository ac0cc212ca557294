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
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    const problem = postgresUrlProblem(trimmed);
    if (problem) throw new StorageError("unsupported_url", `DATABASE_URL ${problem}`);
    return { dialect: "postgres", url: trimmed };
  }
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

/** libpq's sslmode values, spelled as libpq spells them. */
const SSLMODES = new Set(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]);

/**
 * Why a PostgreSQL URL is refused, or undefined. The driver reads TLS from
 * more keys than `sslmode` (`ssl`, `tls`, other spellings of `sslmode`), and
 * where they disagree the later one wins, so `?sslmode=verify-full&ssl=false`
 * connected in plain text while the security check read verify-full. It also
 * lets `?host=` override the authority. The check and the driver must read
 * one setting: anything else is refused, here, where both look. Never echoes
 * a value.
 */
function postgresUrlProblem(text: string): string | undefined {
  let query: URLSearchParams;
  try {
    query = new URL(text).searchParams;
  } catch {
    return "is not a well-formed postgres:// URL";
  }
  let sslmodes = 0;
  for (const [key, value] of query) {
    const name = key.toLowerCase();
    if (name === "ssl" || name === "tls") return `sets TLS with ?${name}=: use ?sslmode= only`;
    if (name === "host" || name === "hostaddr") {
      return "has a host in its query: give it once, in the URL authority";
    }
    if (name !== "sslmode") continue;
    if (key !== "sslmode" || !SSLMODES.has(value)) {
      return "has an sslmode the driver may read differently: use sslmode=verify-full (lowercase)";
    }
    sslmodes++;
  }
  return sslmodes > 1 ? "repeats sslmode: give it once" : undefined;
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
