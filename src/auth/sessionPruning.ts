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
/** Rows deleted per statement at most: each statement holds the write lock briefly. */
const BATCH = 500;
/** Steps per run at most (100 000 rows of each kind); whatever is left waits for the next run. */
const MAX_STEPS = 200;

/** What one run deleted. */
export interface PruneResult {
  sessions: number;
  refreshTokens: number;
}

/** Options of {@link pruneEndedSessions}. */
export interface PruneOptions {
  retentionMs?: number;
  /** Rows per statement (default 500). */
  batch?: number;
  /** Steps per run (default 200). */
  maxSteps?: number;
  /** Checked between steps: a shutdown does not wait for the rest of a long run. */
  signal?: AbortSignal;
}

/** Lets timers, I/O and requests run between two steps (SQLite statements run synchronously). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Deletes sessions that ended more than `retentionMs` before `now`, with their
 * refresh tokens, in steps of at most `batch` rows per statement, yielding to
 * the event loop between steps. Returns what it deleted.
 */
export async function pruneEndedSessions(
  sessions: Pick<SessionStore, "pruneEndedStep">,
  now: number,
  options: PruneOptions = {},
): Promise<PruneResult> {
  const cutoff = now - (options.retentionMs ?? SESSION_RETENTION_MS);
  const batch = options.batch ?? BATCH;
  const maxSteps = options.maxSteps ?? MAX_STEPS;
  const total: PruneResult = { sessions: 0, refreshTokens: 0 };
  for (let step = 0; step < maxSteps && !options.signal?.aborted; step++) {
    if (step > 0) await nextTurn();
    const deleted = await sessions.pruneEndedStep(cutoff, batch);
    total.sessions += deleted.sessions;
    total.refreshTokens += deleted.refreshTokens;
    if (deleted.refreshTokens < batch && deleted.sessions < batch) break;
  }
  return total;
}

/** Options of {@link startSessionPruning}. */
export interface SessionPruningOptions {
  sessions: Pick<SessionStore, "pruneEndedStep">;
  clock: Clock;
  logger: Logger;
  /** Between runs (default 1 hour). */
  intervalMs?: number;
  /** Before the first run (default 1–2 minutes: not during start-up, not in step with other instances). */
  firstDelayMs?: number;
}

/** A running pruning schedule. */
export interface SessionPruning {
  /** Stops the schedule; resolves once a run in progress has finished its current step (before the database closes). */
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
  const abort = new AbortController();

  const run = async () => {
    try {
      const deleted = await pruneEndedSessions(sessions, clock.now(), { signal: abort.signal });
      if (deleted.sessions > 0 || deleted.refreshTokens > 0) {
        logger.info("ended sessions pruned", {
          sessions: deleted.sessions,
          refresh_tokens: deleted.refreshTokens,
        });
      }
    } catch (err) {
      logger.warn("pruning ended sessions failed", { error: errorSummary(err) });
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
      abort.abort();
      clearTimeout(timer);
      await running;
    },
  };
}

/** Name and driver code of a failure, never its message (it may quote SQL or values). */
function errorSummary(err: unknown): { name: string; code?: string } {
  const name = err instanceof Error ? err.name : typeof err;
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" ? { name, code } : { name };
}
