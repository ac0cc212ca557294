/**
 * Which replays of a spent refresh token inside `REFRESH_REUSE_GRACE` are
 * audited: the first per session in each grace window. Such a replay keeps the
 * session (a client retrying a refresh whose answer it lost, or the loser of a
 * race), yet it is also what a theft looks like when the thief refreshed first:
 * the victim's refused replay was the only trace, and it left none (attack
 * probe). One event per session and window keeps a burst of racing tabs, or a
 * replay flood, to one row. Per instance and in memory: several instances may
 * each write one, and a restart forgets, both harmless for an audit trail.
 * @module
 */

/** Past this many sessions the oldest are forgotten (one more event at worst). */
const MAX_SESSIONS = 10_000;

/** Remembers, per session, until when a grace replay was already reported. */
export class GraceReplays {
  readonly #until = new Map<string, number>();

  constructor(private readonly graceMs: number) {}

  /** True for the first replay of `sessionId`'s tokens in a grace window starting `now`. */
  first(sessionId: string, now: number): boolean {
    const until = this.#until.get(sessionId);
    if (until !== undefined && until >= now) return false;
    this.#until.delete(sessionId);
    this.#until.set(sessionId, now + this.graceMs);
    if (this.#until.size > MAX_SESSIONS) {
      // One grace for all, so insertion order is expiry order: the oldest entries come first.
      for (const id of this.#until.keys()) {
        if (this.#until.size <= MAX_SESSIONS * 0.9) break;
        this.#until.delete(id);
      }
    }
    return true;
  }

  /** Sessions remembered. */
  get size(): number {
    return this.#until.size;
  }

  /** Forgets `sessionId`, so its next replay is reported again (its event was not written). */
  forget(sessionId: string): void {
    this.#until.delete(sessionId);
  }
}
