/**
 * Caps the access-log lines of refused requests (429). A refusal is the
 * cheapest answer the server gives (a flood on one key costs the rate-limit
 * store nothing: blockedKeys.ts), yet each one wrote a ~320-byte line: a
 * single client refused 15 000 times a second wrote ~5 MB/s, a disk-filling
 * and log-shipping bill the attacker controls. Per second of the clock, the
 * first {@link REFUSAL_LINES_PER_SECOND} refusals are logged; the rest are
 * counted, and the next refusal that is logged carries the count
 * (`refusals_not_logged`), so totals are never lost. No timers: a count waits
 * for the next logged refusal.
 * @module
 */
import type { Clock } from "../clock/index.ts";

/** Refusals logged per second of the clock, at most. */
export const REFUSAL_LINES_PER_SECOND = 20;

/** Decides which refusals get a log line; one per app. */
export interface RefusalLogSampler {
  /**
   * Whether this refusal is logged: `false` when it is only counted, otherwise the
   * number of refusals not logged since the previous logged one (usually 0).
   */
  admit(): number | false;
}

/** Creates a sampler reading `clock`; `perSecond` is for tests. */
export function createRefusalLogSampler(
  clock: Clock,
  perSecond = REFUSAL_LINES_PER_SECOND,
): RefusalLogSampler {
  let second = Number.NaN;
  let loggedThisSecond = 0;
  let notLogged = 0;
  return {
    admit() {
      const now = Math.floor(clock.now() / 1_000);
      // Any change, backwards too (a clock stepped back): a new second, never a stuck budget.
      if (now !== second) {
        second = now;
        loggedThisSecond = 0;
      }
      if (loggedThisSecond >= perSecond) {
        notLogged++;
        return false;
      }
      loggedThisSecond++;
      const skipped = notLogged;
      notLogged = 0;
      return skipped;
    },
  };
}
