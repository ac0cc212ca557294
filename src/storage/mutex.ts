/**
 * A FIFO async mutex. Bun.SQL's SQLite adapter has one connection, so a query
 * issued while a transaction awaits would run *inside* that transaction (and
 * vanish with its rollback — measured). Every SQLite statement outside a
 * transaction therefore waits for the running transaction to finish.
 * @module
 */

/** Serializes async critical sections in arrival order. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `fn` once every earlier holder has finished. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
