/**
 * Parses `DATABASE_URL` into the adapter and its target. Only two schemes:
 * `sqlite://<path>` (`sqlite://:memory:` for tests) and `postgres://…` /
 * `postgresql://…`.
 * @module
 */
import { existsSync } from "node:fs";
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
    const filename = sqlite[1] as string;
    const problem = sqlitePathProblem(filename);
    if (problem) throw new StorageError("unsupported_url", `DATABASE_URL ${problem}`);
    return { dialect: "sqlite", filename };
  }
  throw new StorageError(
    "unsupported_url",
    "DATABASE_URL must be sqlite://<path> or postgres://<user>@<host>/<db>",
  );
}

/**
 * Why a `sqlite://` path is refused, or undefined. The path is used as written, so anything a
 * reader would take for URL syntax means something else here: `?mode=ro` was dropped and the
 * file opened read-write, `#x` became part of the name, `%20` stayed three characters, and `~`
 * is not the home directory. Each opened (and `migrate` created) a different, empty database.
 * A path ending in `/` (or `.`, `..`) names a directory, which SQLite cannot open.
 */
function sqlitePathProblem(path: string): string | undefined {
  if (/[?#]/.test(path)) {
    return "has a query or #fragment, which a sqlite:// path does not take: remove it";
  }
  if (/%[0-9a-f]{2}/i.test(path)) {
    return "has a %-escape, which a sqlite:// path does not decode: write the path as it is";
  }
  if (path === "~" || path.startsWith("~/")) {
    return "starts with ~, which is not expanded here: write the absolute path (sqlite:///home/…)";
  }
  // `sqlite:///` or `sqlite://./data/` passed the check, then `migrate` failed to open it.
  if (/(^|\/)\.{0,2}$/.test(path)) {
    return "names a directory, not a file: add the database file's name (sqlite://./data/trading.db)";
  }
  return undefined;
}

/** The one query parameter a PostgreSQL URL may carry, spelled exactly so, with libpq's values. */
const SSLMODE_PARAM = /^sslmode=(disable|allow|prefer|require|verify-ca|verify-full)$/;

/**
 * Why a PostgreSQL URL is refused, or undefined. The driver reads far more of
 * the query than `sslmode`: `ssl`, `tls`, `ssl-mode`, `ssl_mode` in any case
 * (the last one wins), and `user`, `password`, `port`, `dbname`, `path`,
 * `socket`, `host` ahead of the URL's own parts. `?sslmode=verify-full&ssl=false`
 * connected in plain text while the security check read verify-full. So the
 * query may hold `sslmode` once, spelled as libpq spells it, and nothing else
 * (raw text: no percent-escapes a decoder might read differently), and the
 * credentials must decode. Checked here, where the check and the driver both
 * look. Never echoes a value.
 */
function postgresUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "is not a well-formed postgres:// URL";
  }
  if (url.hash !== "") return "has a #fragment: remove it";
  // `postgres://user:/pa@host/db`: a raw `/` (or `?`) in the password ends the authority there,
  // so the URL parses with host "user" and the rest of the password in the database name,
  // where messages naming the database would print it.
  if (url.pathname.includes("@") || url.search.includes("@")) {
    return "has an @ after the host: percent-encode / ? # in the password (%2F %3F %23)";
  }
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    return "has a malformed %-escape in its user or password: percent-encode % as %25";
  }
  const params = url.search
    .slice(1)
    .split("&")
    .filter((part) => part !== "");
  if (params.some((part) => !SSLMODE_PARAM.test(part))) {
    return "has a query parameter other than sslmode=<libpq mode> (lowercase): the driver would read it differently from the check (a private CA goes in NODE_EXTRA_CA_CERTS, not sslrootcert)";
  }
  return params.length > 1 ? "repeats sslmode: give it once" : undefined;
}

/** Describes a target for logs without credentials: the dialect and, for SQLite, the file. */
export function describeTarget(target: DatabaseTarget): Record<string, string> {
  if (target.dialect === "sqlite") return { dialect: "sqlite", file: target.filename };
  try {
    const u = new URL(target.url);
    return {
      dialect: "postgres",
      host: u.hostname,
      port: u.port || "5432",
      database: decodeURIComponent(u.pathname.slice(1)),
    };
  } catch {
    return { dialect: "postgres" };
  }
}

/**
 * The file of a SQLite `url` that does not exist, or undefined (it exists, it
 * is `:memory:`, or the URL is PostgreSQL). For the commands that must not
 * create a database at a mistyped path: opening one creates it.
 */
export function missingSqliteFile(url: string): string | undefined {
  const target = parseDatabaseUrl(url);
  return target.dialect === "sqlite" &&
    target.filename !== ":memory:" &&
    !existsSync(target.filename)
    ? target.filename
    : undefined;
}

/**
 * Where `url` points, in words and without credentials (`PostgreSQL at db:5432, database
 * trading`), for a failure that would otherwise not say which server or file; undefined for a
 * URL that does not parse.
 */
export function targetInWords(url: string): string | undefined {
  let target: DatabaseTarget;
  try {
    target = parseDatabaseUrl(url);
  } catch {
    return undefined;
  }
  const t = describeTarget(target);
  if (t.dialect === "sqlite") return `SQLite file ${t.file}`;
  // Never a credential, even from a URL the parser split somewhere unexpected.
  if (`${t.host}${t.database}`.includes("@")) return undefined;
  return t.host ? `PostgreSQL at ${t.host}:${t.port}, database ${t.database}` : undefined;
}
