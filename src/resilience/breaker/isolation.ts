/**
 * Reference-counted manual isolation. Each `acquire()` returns a handle; the
 * circuit stays isolated until every live handle is disposed. `clear()` (on
 * reset) drops every isolation and voids the handles handed out before it.
 * @module
 */
import type { IsolationHandle } from "./state.ts";

/** Counts the isolation handles of one breaker. */
export class Isolation {
  private count = 0;
  private epoch = 0;

  /** True while at least one isolation holds. */
  get active(): boolean {
    return this.count > 0;
  }

  /** Takes an isolation; `onReleased` runs when the last live handle is disposed. */
  acquire(onReleased: () => void): IsolationHandle {
    this.count++;
    const epoch = this.epoch;
    let disposed = false;
    return {
      dispose: () => {
        if (disposed || epoch !== this.epoch) return;
        disposed = true;
        if (--this.count === 0) onReleased();
      },
    };
  }

  /** An isolation restored from data: no handle exists, only `clear()` ends it. */
  hold(): void {
    this.count = Math.max(this.count, 1);
  }

  /** Drops every isolation; handles from before become no-ops. */
  clear(): void {
    this.count = 0;
    this.epoch++;
  }
}
