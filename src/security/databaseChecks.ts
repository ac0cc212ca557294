/**
 * DATABASE_URL checks (db.*): supported scheme, no default or published
 * credentials, a password, verified TLS to PostgreSQL off trusted networks,
 * a note that SQLite serves one instance only, and no in-memory database
 * outside development.
 * @module
 */
import { isStorageError } from "../storage/errors.ts";
import { parseDatabaseUrl } from "../storage/url.ts";
import { type ConnectionUrl, parseConnectionUrl } from "./connectionUrl.ts";
import { isKnownSecret } from "./knownSecrets.ts";
import { assessSecret, weaknessMessage } from "./secretStrength.ts";
import { isTrustedHost } from "./trustedHosts.ts";
import type { CheckInput, FindingList, Levels } from "./types.ts";

const VARIABLE = "DATABASE_URL";
const DEFAULT_URL = "sqlite://./data/trading.db";
const DEFAULT_USERS = new Set(["postgres", "root", "admin", "sa"]);
const DEFAULT_PASSWORDS = new Set(["postgres", "password", "root", "admin", "changeme", ""]);

/** libpq sslmode → what it costs in production (verify-full is the only MITM-proof mode). */
const SSLMODE_LEVELS: Record<string, Levels | null> = {
  "verify-full": null,
  "verify-ca": "I/-/-",
  require: "W/I/-",
};

/** Why serve and migrate would refuse `text`, or undefined when they accept it. */
function unservable(text: string): string | undefined {
  try {
    parseDatabaseUrl(text);
    return undefined;
  } catch (err) {
    // StorageError messages name the problem, never the URL.
    return isStorageError(err) ? err.message.replace(/^DATABASE_URL /, "") : "cannot be opened";
  }
}

/** Runs db.001–007. */
export function checkDatabase(input: CheckInput, out: FindingList): void {
  const text = input.get(VARIABLE) ?? DEFAULT_URL;
  const refused = unservable(text);
  if (refused !== undefined) {
    // What serve and migrate accept, exactly: check must not pass a URL they refuse.
    out.add({
      id: "db.006",
      levels: "E/E/E",
      variable: VARIABLE,
      message: refused,
      hint: "Use sqlite://./data/trading.db or postgres://user:password@host:5432/db?sslmode=verify-full.",
    });
    return;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text.trim())?.[1]?.toLowerCase();
  if (scheme === "sqlite") {
    const target = parseDatabaseUrl(text); // serve's own reading; it passed unservable()
    if (target.dialect === "sqlite" && target.filename === ":memory:") {
      // Serve refused it anyway, but only later and for a misleading reason (pending migrations).
      out.add({
        id: "db.007",
        levels: "E/E/-",
        variable: VARIABLE,
        message:
          "is an in-memory SQLite database: users, sessions and the audit log would be lost at every restart",
        hint: "Use a file (sqlite:///var/lib/trading-server/trading.db) or postgres://…",
      });
    }
    // Decision: a note, not an error. One VPS with SQLite is a supported
    // deployment; several Fly machines each with their own file are not.
    const onFly = input.get("FLY_APP_NAME") !== undefined;
    out.add({
      id: "db.005",
      levels: onFly ? "W/W/-" : "I/I/-",
      variable: VARIABLE,
      message: "is SQLite: fine for one instance; several instances need PostgreSQL",
      hint: "Use postgres://…?sslmode=verify-full when running more than one machine.",
    });
    return;
  }
  const url =
    scheme === "postgres" || scheme === "postgresql" ? parseConnectionUrl(text) : undefined;
  if (url === undefined) {
    out.add({
      id: "db.006",
      levels: "E/E/E",
      variable: VARIABLE,
      message: "is not a well-formed sqlite:// or postgres:// URL",
      hint: "Use sqlite://./data/trading.db or postgres://user:password@host:5432/db.",
    });
    return;
  }
  checkCredentials(input, url, out);
  checkTls(url, out);
}

function checkCredentials(input: CheckInput, url: ConnectionUrl, out: FindingList): void {
  const password = url.password ?? "";
  const user = url.username.toLowerCase();
  const isDefault =
    (DEFAULT_USERS.has(user) && DEFAULT_PASSWORDS.has(password)) ||
    (password !== "" && (password === url.username || isKnownSecret(password)));
  if (isDefault) {
    out.add({
      id: "db.001",
      levels: "C/E/W",
      variable: VARIABLE,
      message: "uses default or publicly known database credentials",
      hint: "Create a dedicated database user with a random password (gen-secret).",
    });
    return;
  }
  if (password === "") {
    if (input.get("PGPASSWORD") !== undefined) return;
    out.add({
      id: "db.003",
      levels: "W/W/-",
      variable: VARIABLE,
      message: "has no password; the server may be using trust authentication",
      hint: "Require scram-sha-256 authentication and put the password in the URL.",
    });
    return;
  }
  const weakness = assessSecret(password);
  if (weakness === undefined || weakness === "known") return;
  out.add({
    id: "db.004",
    levels: weakness === "weak" ? "W/W/-" : "E/E/W",
    variable: VARIABLE,
    message: `password ${weaknessMessage(weakness)}`,
    hint: "Use a random password: trading-server gen-secret --bytes 32.",
  });
}

function checkTls(url: ConnectionUrl, out: FindingList): void {
  if (isTrustedHost(url.host)) return;
  const mode = url.params.get("sslmode")?.trim().toLowerCase() ?? "";
  // Own keys only: `constructor` or `__proto__` must not look like a known mode.
  const levels = Object.hasOwn(SSLMODE_LEVELS, mode) ? SSLMODE_LEVELS[mode] : "E/W/-";
  if (!levels) return;
  out.add({
    id: "db.002",
    levels,
    variable: VARIABLE,
    message:
      mode === "require" || mode === "verify-ca"
        ? `sslmode=${mode} does not verify the server's host name (MITM possible)`
        : "connects without verified TLS off a trusted network (sslmode missing or weak)",
    hint: "Add ?sslmode=verify-full (plain text is accepted only on loopback and Fly's network).",
  });
}
