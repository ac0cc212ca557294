/**
 * A cap on concurrent password hashes with a bounded wait queue, so a login
 * flood costs at most `maxConcurrent` × 19 MiB and a bounded wait instead of
 * an unbounded pile of argon2 jobs.
 * @module
 */

/** Thrown when every hash slot is busy and the queue is full. */
export class HashCapacityError extends Error {
  readonly isHashCapacityError = true;
  constructor() {
    super("password hashing is at capacity");
    this.name = "HashCapacityError";
  }
}

/** True when `e` is a {@link HashCapacityError}. */
export const isHashCapacityError = (e: unknown): e is HashCapacityError =>
  e instanceof Error && (e as Partial<HashCapacityError>).isHashCapacityError === true;

/** Options of {@link createHashLimiter}. */
export interface HashLimiterOptions {
  /** Hashes allowed to run at once (`LOGIN_MAX_CONCURRENT_HASHES`). */
  maxConcurrent: number;
  /** Callers allowed to wait for a slot (`LOGIN_HASH_QUEUE`); beyond that, rejection. */
  maxQueue: number;
}

/** Runs hash jobs under a concurrency cap. */
export interface HashLimiter {
  /** Runs `job` when a slot is free; rejects with {@link HashCapacityError} if the queue is full. */
  run<T>(job: () => Promise<T>): Promise<T>;
  /** Jobs running now and callers waiting. */
  stats(): { running: number; queued: number };
}

/** Creates a {@link HashLimiter}. */
export function createHashLimiter(options: HashLimiterOptions): HashLimiter {
  let running = 0;
  const waiting: Array<() => void> = [];

  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };

  return {
    async run(job) {
      if (running >= options.maxConcurrent) {
        if (waiting.length >= options.maxQueue) throw new HashCapacityError();
        // The slot is handed over directly by release(), so `running` stays accurate.
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running++;
      }
      try {
        return await job();
      } finally {
        release();
      }
    },
    stats: () => ({ running, queued: waiting.length }),
  };
}
