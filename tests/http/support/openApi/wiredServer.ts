/**
 * One app instance as `trading-server serve` assembles it (`buildServer` of
 * `src/http/wiring.ts`), on a fresh SQLite file and a manual clock, and how the
 * conformance test sends requests to it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../../../src/clock/index.ts";
import { loadConfig } from "../../../../src/config/index.ts";
import { buildServer } from "../../../../src/http/wiring.ts";
import { type Database, migrate, openDatabase } from "../../../../src/storage/index.ts";
import { silentLogger } from "../../../../src/telemetry/logger.ts";
import { ADMIN_PASSWORD, SECRET } from "../../../auth/support/authApp.ts";

/** The instances' clocks start here. */
const NOW = Date.parse("2024-03-15T18:00:00Z");

/** BODY_LIMIT of every instance, in bytes. */
export const BODY_LIMIT = 1024;

/** Spent once at start-up: with the anonymous limit 1/1h, every later request from it is 429. */
export const SPENT_IP = "192.0.2.1";

/** Addresses the tests send from (TRUST_PROXY=xff:1 lets them choose). */
let addresses = 0;
const freshIp = () => {
  addresses++;
  return `198.18.${(addresses >> 8) & 255}.${addresses & 255}`;
};

/** One request to an instance. */
export interface Req {
  method?: string;
  token?: string;
  /** The client address; a fresh one when not given. */
  ip?: string;
  /** Sent as JSON (with `content-type: application/json`). */
  json?: unknown;
  /** Sent as is, as `application/json`. */
  body?: string;
  /** The Host header as the server sees it (two lines arrive joined: `a, b`). */
  host?: string;
}

/** A running instance. */
export interface Wired {
  clock: ManualClock;
  db: Database;
  send(path: string, req?: Req): Promise<Response>;
  /** Runs the server's close hooks and removes its database file. */
  close(): Promise<void>;
}

/**
 * An instance with TRUST_PROXY=xff:1, the anonymous limit 1/1h, a generous user limit and
 * BODY_LIMIT; `env` adds to or overrides that configuration.
 */
export async function wiredServer(env: Record<string, string> = {}): Promise<Wired> {
  const dir = mkdtempSync(join(tmpdir(), "ts-openapi-"));
  const url = `sqlite://${join(dir, "test.db")}`;
  const loaded = loadConfig(
    {
      SECURITY_SECRET_KEY: SECRET,
      ADMIN_USERNAME: "admin",
      ADMIN_PASSWORD,
      DATABASE_URL: url,
      TRUST_PROXY: "xff:1",
      RATE_LIMIT_ANONYMOUS: "1/1h",
      RATE_LIMIT_USER: "100000/1m",
      BODY_LIMIT: String(BODY_LIMIT),
      ...env,
    },
    "development",
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const db = await openDatabase(url);
  await migrate(db);
  const clock = new ManualClock(NOW);
  const built = await buildServer(loaded.config, silentLogger, "test", db, clock);
  const app = built.app;
  return {
    clock,
    db,
    send: async (path, req = {}) => {
      const headers = new Headers({ "x-forwarded-for": req.ip ?? freshIp() });
      if (req.token !== undefined) headers.set("authorization", `Bearer ${req.token}`);
      if (req.host !== undefined) headers.set("host", req.host);
      const body = req.json !== undefined ? JSON.stringify(req.json) : req.body;
      if (body !== undefined) headers.set("content-type", "application/json");
      return app.request(path, { method: req.method ?? "GET", headers, body });
    },
    close: async () => {
      // `down` closed its database already: a second close may throw.
      for (const close of built.onClosed) await close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
