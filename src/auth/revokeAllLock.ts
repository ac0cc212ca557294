/**
 * Revoke-all against logins in flight, on PostgreSQL. Revoke-all writes its
 * cut-off and ends every live session in one transaction; a login that read
 * the old cut-off meanwhile and committed its session after revoke-all's
 * UPDATE had looked (READ COMMITTED) kept a live session, with a start after
 * the cut-off (a concurrency probe: ~30 sessions survived ~15 revoke-alls).
 * So revoke-all holds this lock exclusively for its transaction and a login
 * holds it shared from before it reads the cut-off until it commits: a login
 * in flight commits first and its session is ended; a later one waits, then
 * reads the new cut-off, and its session is a login after the revoke-all.
 * Logins do not wait for each other. SQLite serializes writers already.
 * @module
 */
import { type Executor, StorageError } from "../storage/index.ts";

/** Advisory-lock key of revoke-all (any constant unique to this use). */
const REVOKE_ALL_LOCK = 0x7276_6b61; // "rvka"

/** Revoke-all's side: exclusive until the current transaction ends (PostgreSQL only). */
export async function lockForRevokeAll(tx: Executor): Promise<void> {
  if (tx.dialect === "postgres") await tx.sql`SELECT pg_advisory_xact_lock(${REVOKE_ALL_LOCK})`;
}

/** How long a login waits for a running revoke-all before it is a 503 (service unavailable). */
const LOGIN_WAIT_MS = 2_000;
const RETRY_MS = 25;

/**
 * A login's side: shared until the current transaction ends (PostgreSQL only). Tried, not
 * waited on: a revoke-all that itself waits on busy sessions would hold every login, each with
 * its user row and a pooled connection, for the whole query deadline, starving the session
 * checks of every other request. Past {@link LOGIN_WAIT_MS} the login fails as a timeout (503).
 */
export async function lockAgainstRevokeAll(tx: Executor): Promise<void> {
  if (tx.dialect !== "postgres") return;
  const deadline = performance.now() + LOGIN_WAIT_MS;
  for (;;) {
    const [row] = await tx.sql<{ held: boolean }>`
      SELECT pg_try_advisory_xact_lock_shared(${REVOKE_ALL_LOCK}) AS held`;
    if (row?.held) return;
    if (performance.now() >= deadline) {
      throw new StorageError("timeout", "a revoke-all is running: try the login again shortly");
    }
    await Bun.sleep(RETRY_MS);
  }
}
