/**
 * Redis checks (redis.*): a password (REDIS_PASSWORD or one inside REDIS_URL),
 * TLS (`rediss://`) off loopback and Fly's private network, and the secret
 * predicates on the password, and a database number a default Redis has.
 * REDIS_URL's presence is env.002.
 * @module
 */
import { parseConnectionUrl } from "./connectionUrl.ts";
import { assessSecret, weaknessMessage } from "./secretStrength.ts";
import { isFlyUpstashHost, isTrustedHost } from "./trustedHosts.ts";
import type { CheckInput, FindingList } from "./types.ts";

/** Query parameters some clients read as credentials; ours (Bun's) reads none of them. */
const QUERY_CREDENTIALS = new Set(["password", "pass", "requirepass", "auth", "username", "user"]);

/**
 * Whether Bun's client, which `serve` uses, takes the URL: it reads the path as a database
 * number and refuses `/abc` or `/3/4`, which a URL parser accepts. Construction validates
 * without connecting (the client connects on its first command).
 */
function clientAccepts(text: string): boolean {
  try {
    new Bun.RedisClient(text, { autoReconnect: false }).close();
    return true;
  } catch {
    return false;
  }
}

/** Databases a Redis has unless its `databases` setting is raised. */
const DEFAULT_DATABASES = 16;

/**
 * The database number in REDIS_URL's path (Bun's client takes `/3`, `/003`, `/+3`), if any, as
 * digits without leading zeros: a long one must not read `1e+23` in a message.
 */
function databaseNumber(text: string): string | undefined {
  let path: string;
  try {
    path = new URL(text).pathname;
  } catch {
    return undefined;
  }
  const digits = /^\/\+?(\d+)$/.exec(path)?.[1];
  return digits === undefined ? undefined : digits.replace(/^0+(?=\d)/, "");
}

/** Runs redis.001–006. */
export function checkRedis(input: CheckInput, out: FindingList): void {
  const text = input.get("REDIS_URL");
  const url = text === undefined ? undefined : parseConnectionUrl(text);
  if (
    text !== undefined &&
    (url === undefined || !["redis", "rediss"].includes(url.scheme) || !clientAccepts(text))
  ) {
    out.add({
      id: "redis.004",
      levels: "E/E/E",
      variable: "REDIS_URL",
      message: "is not a well-formed redis:// or rediss:// URL",
      hint: "Use rediss://host:6379 (or redis://127.0.0.1:6379 on loopback).",
    });
  }
  const database = text === undefined ? undefined : databaseNumber(text);
  if (database !== undefined && (database.length > 2 || Number(database) >= DEFAULT_DATABASES)) {
    // A warning: `databases` may have been raised. If not, every command fails, the limiter
    // fails closed and /readyz stays 503 with nothing in the check to say why.
    out.add({
      id: "redis.006",
      levels: "W/W/W",
      variable: "REDIS_URL",
      message: `selects database ${database}: a Redis with the default configuration has ${DEFAULT_DATABASES} (0–${DEFAULT_DATABASES - 1}), many managed ones only 0`,
      hint: "Use database 0 (or remove the path), unless this Redis's `databases` setting is higher.",
    });
  }
  const ignored = [...(url?.params.keys() ?? [])].filter((k) =>
    QUERY_CREDENTIALS.has(k.toLowerCase()),
  );
  if (ignored.length > 0) {
    out.add({
      id: "redis.005",
      levels: "E/E/W",
      variable: "REDIS_URL",
      // Names only: the values are the secrets.
      message: `has credentials in its query string (${[...new Set(ignored)].join(", ")}), which the client ignores: they are never sent`,
      hint: "Set REDIS_PASSWORD, or put the password in the URL's userinfo: rediss://:PASSWORD@host:6379.",
    });
  }
  const urlPassword = url?.password === "" ? undefined : url?.password;
  const password = input.get("REDIS_PASSWORD");

  if (password === undefined && urlPassword === undefined) {
    out.add({
      id: "redis.001",
      levels: "E/W/-",
      variable: "REDIS_PASSWORD",
      message: "is required: Redis without authentication lets anyone reset rate limits",
      hint: "Set REDIS_PASSWORD (or put the password in REDIS_URL) and enable requirepass/ACLs.",
    });
  }

  const onFly = input.get("FLY_APP_NAME") !== undefined;
  const privateNetwork = (host: string) => isTrustedHost(host) || (onFly && isFlyUpstashHost(host));
  if (url?.scheme === "redis" && !privateNetwork(url.host)) {
    out.add({
      id: "redis.002",
      levels: "E/W/-",
      variable: "REDIS_URL",
      message: "uses plain-text redis:// off a trusted network",
      hint: "Use rediss:// (TLS); plain text is accepted only on loopback and Fly's private network (with FLY_APP_NAME set, fly-<name>.upstash.io too).",
    });
  }

  const candidates: [string, string | undefined][] = [
    ["REDIS_PASSWORD", password],
    ["REDIS_URL", urlPassword],
  ];
  for (const [variable, value] of candidates) {
    if (value === undefined) continue;
    const weakness = assessSecret(value);
    if (weakness === undefined) continue;
    out.add({
      id: "redis.003",
      levels: weakness === "known" ? "C/E/W" : "E/E/W",
      variable,
      message: `${variable === "REDIS_URL" ? "password " : ""}${weaknessMessage(weakness)}`,
      hint: "Use a random password: trading-server gen-secret --bytes 32.",
    });
  }
}
