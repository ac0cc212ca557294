/**
 * Outage accounting of the Redis store: one log line when decisions start
 * failing and one when they succeed again (not one per refused request), the
 * health that `/readyz` reports, and when to drop a socket that stopped
 * answering.
 * @module
 */
import type { Logger } from "../telemetry/logger.ts";
import type { StoreUnavailableError } from "./errors.ts";

/** Consecutive timed-out decisions after which the socket is dropped (a hung server: SIGSTOP). */
const TIMEOUTS_BEFORE_RECONNECT = 3;
/**
 * At most one "failing" line per this period. A store flapping at its memory limit
 * alternates refusals and answers: a pair of lines per flip was ~50 lines a second.
 */
const QUIET_MS = 10_000;

/** Counts consecutive failed decisions and logs the transitions. */
export class Outage {
  #failures = 0;
  #timeouts = 0;
  /** Whether the current outage's start was logged (so its end is logged too). */
  #logged = false;
  #lastStartLine = Number.NEGATIVE_INFINITY;
  /** Outages, and their failed decisions, that came and went without a line. */
  #unlogged = { outages: 0, failedDecisions: 0 };
  readonly #logger: Logger;
  readonly #dropSocket: () => void;
  readonly #now: () => number;

  /**
   * `dropSocket` is called when the server looks hung (it accepts bytes, answers nothing);
   * `now` is a monotonic clock in ms (tests drive it).
   */
  constructor(logger: Logger, dropSocket: () => void, now: () => number = () => performance.now()) {
    this.#logger = logger;
    this.#dropSocket = dropSocket;
    this.#now = now;
  }

  /** True while the last decision failed. */
  get failing(): boolean {
    return this.#failures > 0;
  }

  /** `decisions` decisions failed with `error`. */
  failed(error: StoreUnavailableError, decisions = 1): void {
    this.#failures += decisions;
    // Checked on every failure, not only the first: an outage that began in the quiet period
    // after a flap is logged once that period is over, not never.
    if (!this.#logged && this.#now() - this.#lastStartLine >= QUIET_MS) {
      const { outages, failedDecisions } = this.#unlogged;
      this.#logger.warn("rate-limit store failing; requests are refused", {
        reason: error.reason,
        ...(outages > 0 && {
          earlier_unlogged_outages: outages,
          earlier_failed_decisions: failedDecisions,
        }),
      });
      this.#logged = true;
      this.#lastStartLine = this.#now();
      this.#unlogged = { outages: 0, failedDecisions: 0 };
    }
    this.#timeouts = error.reason === "timeout" ? this.#timeouts + decisions : 0;
    if (this.#timeouts >= TIMEOUTS_BEFORE_RECONNECT) {
      // A server that accepts bytes but never answers keeps the socket open; dropping it
      // makes later decisions fail in microseconds instead of waiting out the deadline.
      this.#timeouts = 0;
      this.#dropSocket();
    }
  }

  /** A command succeeded. */
  succeeded(): void {
    if (this.#failures > 0) {
      if (this.#logged) {
        this.#logger.info("rate-limit store answering again", { failed_decisions: this.#failures });
      } else {
        this.#unlogged.outages++;
        this.#unlogged.failedDecisions += this.#failures;
        // An outage that began in the quiet period and ended after it: its count goes out now
        // rather than waiting for the next failure, which may never come.
        if (this.#now() - this.#lastStartLine >= QUIET_MS) this.#reportUnlogged();
      }
    }
    this.#logged = false;
    this.#failures = 0;
    this.#timeouts = 0;
  }

  #reportUnlogged(): void {
    const { outages, failedDecisions } = this.#unlogged;
    this.#logger.warn("rate-limit store failed briefly; answering again", {
      unlogged_outages: outages,
      failed_decisions: failedDecisions,
    });
    this.#unlogged = { outages: 0, failedDecisions: 0 };
  }
}
