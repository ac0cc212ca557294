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

/** Counts consecutive failed decisions and logs the transitions. */
export class Outage {
  #failures = 0;
  #timeouts = 0;
  readonly #logger: Logger;
  readonly #dropSocket: () => void;

  /** `dropSocket` is called when the server looks hung (it accepts bytes, answers nothing). */
  constructor(logger: Logger, dropSocket: () => void) {
    this.#logger = logger;
    this.#dropSocket = dropSocket;
  }

  /** True while the last decision failed. */
  get failing(): boolean {
    return this.#failures > 0;
  }

  /** `decisions` decisions failed with `error`. */
  failed(error: StoreUnavailableError, decisions = 1): void {
    if (this.#failures === 0) {
      this.#logger.warn("rate-limit store failing; requests are refused", {
        reason: error.reason,
      });
    }
    this.#failures += decisions;
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
      this.#logger.info("rate-limit store answering again", { failed_decisions: this.#failures });
    }
    this.#failures = 0;
    this.#timeouts = 0;
  }
}
