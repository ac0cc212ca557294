/**
 * Shared settings read by every instance: the global token not-before
 * (revoke-all) and the maintenance switch. Both live in the `settings` table,
 * so every instance sees a change on its next read.
 * @module
 */
import type { Clock } from "../clock/index.ts";
import type { Executor } from "../storage/index.ts";

/** Settings keys owned by auth. */
export const SETTING = {
  tokensNotBefore: "auth.tokens_not_before",
  maintenance: "maintenance",
  adminBootstrap: "auth.admin_bootstrap",
  adminBootstrapHistory: "auth.admin_bootstrap_history",
} as const;

/** Reads a setting's text value. */
export async function readSetting(db: Executor, key: string): Promise<string | undefined> {
  const rows = await db.sql<{ value: string }>`SELECT value FROM settings WHERE key = ${key}`;
  return rows[0]?.value;
}

/** Writes a setting (insert or replace; same SQL on both dialects). */
export async function writeSetting(
  db: Executor,
  key: string,
  value: string,
  now: number,
): Promise<void> {
  await db.sql`INSERT INTO settings (key, value, updated_at) VALUES (${key}, ${value}, ${now})
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`;
}

/** Maintenance mode as shown by the API. */
export interface MaintenanceState {
  enabled: boolean;
  reason: string;
}

const OFF: MaintenanceState = { enabled: false, reason: "" };

/** Advisory-lock key serializing maintenance changes on PostgreSQL ("mnt"). */
const MAINTENANCE_LOCK = 0x006d_6e74;

function parseMaintenance(text: string | undefined): MaintenanceState {
  if (!text) return OFF;
  try {
    const v = JSON.parse(text) as Partial<MaintenanceState>;
    return { enabled: v.enabled === true, reason: typeof v.reason === "string" ? v.reason : "" };
  } catch {
    // An unreadable value must not silently keep a service open that an operator closed.
    return { enabled: true, reason: "" };
  }
}

/** Options of {@link createMaintenance}. */
export interface MaintenanceOptions {
  db: Executor;
  clock: Clock;
  /** How long an instance may serve a cached state (default 500 ms; must stay ≤ 1 s). */
  cacheMs?: number;
}

/** The maintenance switch, cached briefly per instance. */
export interface Maintenance {
  /** Current state, at most `cacheMs` old. */
  get(): Promise<MaintenanceState>;
  /**
   * Sets the state for every instance; returns the previous one. `within`
   * runs in the same transaction, after the write, with the previous state:
   * an audit event written there commits or rolls back with the change.
   */
  set(
    state: MaintenanceState,
    within?: (previous: MaintenanceState) => Promise<void>,
  ): Promise<MaintenanceState>;
}

/**
 * Creates the maintenance switch. The cache keeps the gate from adding a
 * database query to every request; 500 ms keeps every instance within the
 * 1 s promise. A read failure keeps a last known "on" (503 maintenance);
 * otherwise it rethrows, and the app answers the database outage with 503.
 */
export function createMaintenance(options: MaintenanceOptions): Maintenance {
  const cacheMs = Math.min(options.cacheMs ?? 500, 1000);
  let cached: { state: MaintenanceState; at: number } | undefined;
  let inflight: Promise<MaintenanceState> | undefined;
  const load = async () => {
    const state = parseMaintenance(await readSetting(options.db, SETTING.maintenance));
    cached = { state, at: options.clock.now() };
    return state;
  };
  return {
    async get() {
      if (cached && options.clock.now() - cached.at < cacheMs) return cached.state;
      inflight ??= load().finally(() => {
        inflight = undefined;
      });
      try {
        return await inflight;
      } catch (error) {
        // Fail closed the way the last known state says: still in maintenance, keep
        // answering 503 maintenance; otherwise the read error goes on (the app answers
        // a database outage with 503, never an open route).
        if (cached?.state.enabled) return cached.state;
        throw error;
      }
    },
    async set(state, within) {
      // Read and write as one step across instances: the caller audits a change when
      // the previous state differs, and concurrent identical requests must see one change.
      const previous = await options.db.transaction(async (tx) => {
        if (tx.dialect === "postgres") {
          await tx.sql`SELECT pg_advisory_xact_lock(${MAINTENANCE_LOCK})`;
        }
        const before = parseMaintenance(await readSetting(tx, SETTING.maintenance));
        await writeSetting(tx, SETTING.maintenance, JSON.stringify(state), options.clock.now());
        await within?.(before);
        return before;
      });
      cached = { state, at: options.clock.now() };
      return previous;
    },
  };
}
