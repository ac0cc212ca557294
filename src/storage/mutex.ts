/**
 * A FIFO async mutex. SQLite runs on one connection, so a query issued while a
 * transaction awaits would run *inside* that transaction (and vanish with its
 * rollback). Every SQLite statement outside a transaction therefore waits for
 * the running transaction to finish.
 * @module
 */

/** Serializes async critical sections in arrival order. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;

  /** True when nothing holds or waits for the lock: a synchronous step may run right away. */
  get idle(): boolean {
    return this.queued === 0;
  }

  /** Runs `fn` once every earlier holder has finished. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.queued++;
    try {
      await previous;
      return await fn();
    } finally {
      this.queued--;
      release();
    }
  }
}
