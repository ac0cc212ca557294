/**
 * Waiting for another process's SQLite lock without blocking the event loop.
 *
 * SQLite's own `busy_timeout` sleeps inside the synchronous call: for its whole
 * budget nothing else on this instance runs (no other request is served, a
 * Redis reply in flight times out). So connections run with `busy_timeout = 0`
 * and a statement refused with `SQLITE_BUSY` is tried again after an
 * asynchronous pause, 1 ms doubling to 50 ms as SQLite's own handler does,
 * until its deadline; then the last `SQLITE_BUSY` is thrown (a 503). The
 * deadline is set when the caller asked, not when its turn came: statements
 * queued behind a waiting one share its wait instead of each adding a budget.
 * A refused statement changed nothing, so trying it again is safe.
 * @module
 */

/** The longest pause between two attempts, in ms. */
const MAX_PAUSE_MS = 50;

/** True for `SQLITE_BUSY` and its extended codes (`SQLITE_BUSY_RECOVERY`, …). */
export function isSqliteBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs the synchronous `step` at once; while it throws `SQLITE_BUSY`, runs it
 * again after a pause, until `deadline` (a `performance.now()` time). Any
 * other error, and the busy error at or past the deadline, rejects: a step
 * whose deadline passed while it queued is tried once, and fails at once if
 * the lock is still held.
 */
export function whenUnlocked<T>(step: () => T, deadline: number): Promise<T> {
  try {
    return Promise.resolve(step());
  } catch (err) {
    if (!isSqliteBusy(err) || performance.now() >= deadline) return Promise.reject(err);
    return retry(step, deadline);
  }
}

async function retry<T>(step: () => T, deadline: number): Promise<T> {
  for (let wait = 1; ; wait = Math.min(wait * 2, MAX_PAUSE_MS)) {
    const left = deadline - performance.now();
    await pause(Math.max(0, Math.min(wait, left)));
    try {
      return step();
    } catch (err) {
      if (!isSqliteBusy(err) || performance.now() >= deadline) throw err;
    }
  }
}
