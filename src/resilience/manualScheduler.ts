/**
 * A deterministic clock + timer scheduler: time only moves when `advance` is
 * called. Used by the resilience tests and useful to anyone testing code that
 * composes these policies (pass it as both `clock` and `scheduler`).
 * @module
 */
import type { Clock, Scheduler } from "./types.ts";

interface Entry {
  id: number;
  at: number;
  fn: () => void;
}

/** Lets queued promise continuations run (they may schedule or clear timers). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A clock and scheduler driven by hand. */
export class ManualScheduler implements Clock, Scheduler {
  private current: number;
  private nextId = 1;
  private readonly timers = new Map<number, Entry>();

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.timers.set(id, { id, at: this.current + delay, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Number of timers scheduled and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  /**
   * Moves time forward by `ms`, firing due timers in time order (ties in
   * scheduling order) and letting promise continuations run after each one.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const due = this.earliest(target);
      if (!due) break;
      this.timers.delete(due.id);
      this.current = Math.max(this.current, due.at);
      due.fn();
      await settle();
    }
    this.current = target;
    await settle();
  }

  /** Lets pending continuations run without moving time. */
  flush(): Promise<void> {
    return this.advance(0);
  }

  private earliest(limit: number): Entry | undefined {
    let best: Entry | undefined;
    for (const entry of this.timers.values()) {
      if (entry.at <= limit && (!best || entry.at < best.at)) best = entry;
    }
    return best;
  }
}
