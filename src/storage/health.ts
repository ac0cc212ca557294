/**
 * The readiness probe shared by both dialects: a trivial query raced against
 * a timer, so `/readyz` answers in bounded time even when the server accepts
 * connections and never replies.
 * @module
 */
import type { DatabaseHealth } from "./database.ts";

/** Runs `query` and reports ready, unavailable (it failed) or timeout; never throws. */
export async function probeHealth(
  query: () => Promise<unknown>,
  timeoutMs: number,
): Promise<DatabaseHealth> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<DatabaseHealth>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, state: "timeout" }), timeoutMs);
  });
  const probe = Promise.resolve()
    .then(query)
    .then(
      (): DatabaseHealth => ({ ok: true, state: "ready" }),
      (): DatabaseHealth => ({ ok: false, state: "unavailable" }),
    );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
