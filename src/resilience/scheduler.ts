/**
 * The real time sources used when none is injected.
 * @module
 */
import type { Clock, Scheduler } from "./types.ts";

/** `Date.now()`. */
export const systemClock: Clock = { now: () => Date.now() };

/** The longest delay `setTimeout` keeps: a longer one (2^31 ms and up) fires after 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** A wait longer than one timer: re-armed until the whole delay has passed. */
interface ChainedTimer {
  timer: ReturnType<typeof setTimeout>;
}

const isChained = (handle: unknown): handle is ChainedTimer =>
  typeof handle === "object" && handle !== null && "timer" in handle;

/**
 * The global timers. Timers stay referenced: a pending retry should keep the
 * process alive. Delays past 24.8 days are chained, and `Infinity` never fires.
 */
export const systemScheduler: Scheduler = {
  setTimeout: (fn, ms) => {
    if (!(ms > MAX_TIMER_MS)) return setTimeout(fn, ms);
    const chained = {} as ChainedTimer;
    const arm = (left: number) => {
      chained.timer = setTimeout(
        () => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : fn()),
        Math.min(left, MAX_TIMER_MS),
      );
    };
    arm(ms);
    return chained;
  },
  clearTimeout: (handle) =>
    clearTimeout(isChained(handle) ? handle.timer : (handle as ReturnType<typeof setTimeout>)),
};
