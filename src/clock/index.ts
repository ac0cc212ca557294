/**
 * Wall-clock time behind an interface so tests can drive it instead of sleeping.
 * @module
 */

/** A source of the current time in epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for tests. */
export class ManualClock implements Clock {
  constructor(private current = 1_700_000_000_000) {}
  now(): number {
    return this.current;
  }
  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    this.current += ms;
  }
  /** Jumps to an absolute instant. */
  set(ms: number): void {
    this.current = ms;
  }
}

export { nextTurn } from "./nextTurn.ts";
export { withinMs } from "./withinMs.ts";
