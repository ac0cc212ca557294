/**
 * Caps the access-log lines of refused requests (429), and (a second
 * instance, accessLog.ts) of failing health probes, which are not
 * rate-limited. A refusal is the
 * cheapest answer the server gives (a flood on one key costs the rate-limit
 * store nothing: blockedKeys.ts), yet each one wrote a ~320-byte line: a
 * single client refused 15 000 times a second wrote ~5 MB/s, a disk-filling
 * and log-shipping bill the attacker controls. Per second of the clock, the
 * first {@link REFUSAL_LINES_PER_SECOND} refusals are logged; the rest are
 * counted, with the addresses refused most, and the next refusal logged is
 * preceded by one summary line, so counts are not pinned on whichever client
 * happens to be logged next. No timers: a count waits for the next logged
 * refusal, and the one pending when the process stops is not written.
 * @module
 */
import type { Clock } from "../clock/index.ts";

/** Refusals logged per second of the clock, at most. */
export const REFUSAL_LINES_PER_SECOND = 20;
/** Addresses named in a summary, most refused first. */
const TOP_CLIENTS = 5;
/**
 * Distinct addresses counted between two summaries. When full, addresses seen once are
 * dropped from the count (still in the total): a flood from rotating addresses must not
 * lock the real flooder out of `top_clients`.
 */
const MAX_COUNTED_CLIENTS = 1_000;

/** The refusals not logged since the previous logged one. */
export interface RefusalSummary {
  count: number;
  /** Up to five addresses with the most of them, most first. */
  top_clients: { client_ip: string; count: number }[];
}

/** What to do with one refusal. */
export type RefusalVerdict =
  | { log: false }
  /** Log it, after the summary of those not logged before it, if any. */
  | { log: true; summary?: RefusalSummary };

/** Decides which refusals get a log line; one per app. */
export interface RefusalLogSampler {
  admit(clientIp: string): RefusalVerdict;
}

/** Creates a sampler reading `clock`; `perSecond` is for tests. */
export function createRefusalLogSampler(
  clock: Clock,
  perSecond = REFUSAL_LINES_PER_SECOND,
): RefusalLogSampler {
  let second = Number.NaN;
  let loggedThisSecond = 0;
  let notLogged = 0;
  let byClient = new Map<string, number>();
  let saturated = false;

  const summary = (): RefusalSummary => {
    const top_clients = [...byClient]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP_CLIENTS)
      .map(([client_ip, count]) => ({ client_ip, count }));
    return { count: notLogged, top_clients };
  };

  return {
    admit(clientIp) {
      const now = Math.floor(clock.now() / 1_000);
      // Any change, backwards too (a clock stepped back): a new second, never a stuck budget.
      if (now !== second) {
        second = now;
        loggedThisSecond = 0;
      }
      if (loggedThisSecond >= perSecond) {
        notLogged++;
        const counted = byClient.get(clientIp);
        if (counted !== undefined) byClient.set(clientIp, counted + 1);
        else {
          // A scan must free a quarter of the slots, or new addresses only count in the total
          // until the next summary: scans stay amortised, whatever the flood's pattern.
          if (byClient.size >= MAX_COUNTED_CLIENTS && !saturated) {
            for (const [ip, n] of byClient) if (n <= 1) byClient.delete(ip);
            saturated = byClient.size > MAX_COUNTED_CLIENTS * 0.75;
          }
          if (byClient.size < MAX_COUNTED_CLIENTS) byClient.set(clientIp, 1);
        }
        return { log: false };
      }
      loggedThisSecond++;
      if (notLogged === 0) return { log: true };
      const verdict = { log: true as const, summary: summary() };
      notLogged = 0;
      byClient = new Map();
      saturated = false;
      return verdict;
    },
  };
}
