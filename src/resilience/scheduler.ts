/**
 * The real time sources used when none is injected.
 * @module
 */
import type { Clock, Scheduler } from "./types.ts";

/** `Date.now()`. */
export const systemClock: Clock = { now: () => Date.now() };

/** The global timers. Timers stay referenced: a pending retry should keep the process alive. */
export const systemScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
