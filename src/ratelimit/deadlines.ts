/**
 * Per-command deadlines without a timer per command: every command gets the
 * same timeout, so deadlines expire in the order the commands were sent and
 * one FIFO with one timer (armed for the oldest unsettled command) covers
 * them all. A reply that arrives after its deadline is dropped: the caller's
 * promise has already rejected, so a late "allowed" can never admit.
 *
 * Except when the lateness is ours: after our event loop was blocked (a long
 * synchronous task), the overdue timer fires before the replies that arrived
 * meanwhile are read, and every call in flight looked like a Redis outage (a
 * fuzz probe's 1.2 s audit verification turned into 503s for everyone and a
 * dropped connection). So a sweep whose timer fired late first waits as long
 * as it was late, up to one timeout: replies already received are read, and
 * calls still queued in the client when the loop stopped get a round trip; a
 * reply read before its sweep is honoured: Redis ran the call in time (its
 * script writes nothing past the deadline), so it is a real decision, already
 * charged.
 * @module
 */

/** A timer this late means our event loop was blocked, not that Redis was slow. */
const BLOCKED_LOOP_LAG_MS = 10;

interface Pending {
  readonly deadline: number;
  settled: boolean;
  readonly reject: (error: Error) => void;
}

/** Entries popped before the array is compacted (amortized O(1) per command). */
const COMPACT_AFTER = 1024;

/** A FIFO of in-flight commands sharing one timeout, swept by one timer. */
export class DeadlineQueue {
  #items: Pending[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #timeoutMs: number;
  readonly #expired: () => Error;
  readonly #now: () => number;
  readonly #maxGraceMs: number;

  /**
   * @param timeoutMs the deadline of every command, from when it is tracked.
   * @param expired the error a command past its deadline rejects with.
   * @param now a monotonic clock in milliseconds (tests may inject one).
   * @param maxGraceMs the longest a late sweep waits for replies (default: the timeout).
   */
  constructor(
    timeoutMs: number,
    expired: () => Error,
    now: () => number = performance.now.bind(performance),
    maxGraceMs = timeoutMs,
  ) {
    this.#timeoutMs = timeoutMs;
    this.#expired = expired;
    this.#now = now;
    this.#maxGraceMs = maxGraceMs;
  }

  /** Commands tracked and not yet answered, rejected or swept. */
  get size(): number {
    let n = 0;
    for (let i = this.#head; i < this.#items.length; i++) if (!this.#items[i]?.settled) n++;
    return n;
  }

  /**
   * `command`'s outcome, or a rejection with `expired()` once the timeout,
   * counted from `since` (default: now), passes first. Callers track in order
   * of `since`, so deadlines stay in FIFO order.
   */
  track<T>(command: Promise<T>, since: number = this.#now()): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { deadline: since + this.#timeoutMs, settled: false, reject };
      this.#items.push(entry);
      if (this.#timer === undefined) this.#arm(entry.deadline - this.#now());
      command.then(
        (value) => {
          if (entry.settled) return; // late: the deadline already refused it
          entry.settled = true;
          resolve(value);
        },
        (error: unknown) => {
          if (entry.settled) return;
          entry.settled = true;
          reject(error);
        },
      );
    });
  }

  /** Rejects every unsettled command with `error` and stops the timer (on close). */
  rejectAll(error: Error): void {
    for (let i = this.#head; i < this.#items.length; i++) {
      const entry = this.#items[i];
      if (entry && !entry.settled) {
        entry.settled = true;
        entry.reject(error);
      }
    }
    this.#items = [];
    this.#head = 0;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Runs the sweep now (tests drive it with an injected clock). */
  sweep(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = this.#now();
    const items = this.#items;
    while (this.#head < items.length) {
      const entry = items[this.#head] as Pending;
      if (!entry.settled) {
        if (entry.deadline > now) break;
        entry.settled = true;
        entry.reject(this.#expired());
      }
      this.#head++;
    }
    if (this.#head >= items.length) {
      this.#items = [];
      this.#head = 0;
      return;
    }
    if (this.#head >= COMPACT_AFTER && this.#head * 2 >= items.length) {
      this.#items = items.slice(this.#head);
      this.#head = 0;
    }
    this.#arm((this.#items[this.#head] as Pending).deadline - now);
  }

  #arm(delayMs: number): void {
    // The oldest command's deadline; settled commands ahead of it are popped when it fires.
    const wait = Math.max(1, Math.ceil(delayMs));
    const due = this.#now() + wait;
    this.#timer = setTimeout(() => {
      const lag = this.#now() - due;
      if (lag <= BLOCKED_LOOP_LAG_MS) return this.sweep();
      // Fired late: our loop was blocked. Read what arrived meanwhile, then sweep.
      this.#timer = setTimeout(() => this.sweep(), Math.min(lag, this.#maxGraceMs));
      this.#timer.unref?.();
    }, wait);
    this.#timer.unref?.();
  }
}
