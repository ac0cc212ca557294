/**
 * Deleting sessions that ended long ago, with their refresh tokens. Nothing
 * else removes them, and every login and refresh adds rows: one client
 * refreshing at its rate limit adds ~860 000 refresh-token rows a day. An
 * ended session is kept for {@link SESSION_RETENTION_MS} first, so a replay of
 * one of its spent refresh tokens is still recognised (and audited) for a week.
 * @module
 */
import type { Clock } from "../clock/index.ts";
import type { Logger } from "../telemetry/logger.ts";
import type { SessionStore } from "./sessions.ts";

/** How long an ended session (revoked or expired) is kept before it is deleted. */
export const SESSION_RETENTION_MS = 7 * 24 * 60 * 60_000;
/** Sessions deleted per statement: short statements, short locks. */
const BATCH = 500;
/** Statements per run at most; whatever is left waits for the next run. */
const MAX_BATCHES = 200;

/** Deletes sessions that ended more than `retentionMs` before `now`; returns how many. */
export async function pruneEndedSessions(
  sessions: Pick<SessionStore, "deleteEndedBefore">,
  now: number,
  options: { retentionMs?: number; batch?: number } = {},
): Promise<number> {
  const cutoff = now - (options.retentionMs ?? SESSION_RETENTION_MS);
  const batch = options.batch ?? BATCH;
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const deleted = await sessions.deleteEndedBefore(cutoff, batch);
    total += deleted;
    if (deleted < batch) break;
  }
  return total;
}

/** Options of {@link startSessionPruning}. */
export interface SessionPruningOptions {
  sessions: Pick<SessionStore, "deleteEndedBefore">;
  clock: Clock;
  logger: Logger;
  /** Between runs (default 1 hour). */
  intervalMs?: number;
  /** Before the first run (default 1–2 minutes: not during start-up, not in step with other instances). */
  firstDelayMs?: number;
}

/** A running pruning schedule. */
export interface SessionPruning {
  /** Stops the schedule; resolves once a run in progress has ended (before the database closes). */
  stop(): Promise<void>;
}

/**
 * Prunes on a timer in the background. A failed run (the database down) logs a
 * warning and waits for the next one; several instances pruning at once only
 * repeat each other's deletes.
 */
export function startSessionPruning(options: SessionPruningOptions): SessionPruning {
  const { sessions, clock, logger } = options;
  const intervalMs = options.intervalMs ?? 60 * 60_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const run = async () => {
    try {
      const deleted = await pruneEndedSessions(sessions, clock.now());
      if (deleted > 0) logger.info("ended sessions pruned", { deleted });
    } catch (err) {
      logger.warn("pruning ended sessions failed", {
        error: { name: (err as Error).name ?? "Error" },
      });
    }
  };
  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      running = run().finally(() => {
        running = undefined;
        if (!stopped) schedule(intervalMs);
      });
    }, delayMs);
    timer.unref();
  };
  schedule(options.firstDelayMs ?? 60_000 + Math.random() * 60_000);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
