/**
 * The circuit breaker state machine. Transitions are lazy (decided when a
 * call arrives), so an idle breaker holds no timer and no listener.
 *
 * Every transition bumps a generation number; a call remembers the
 * generation it was admitted in and its result only counts if the breaker is
 * still in that generation — results of calls started before a transition
 * never flip the state (opossum #381, Polly #217).
 * @module
 */
import type { Attributes } from "@opentelemetry/api";
import type { Backoff, DelaySequence } from "../backoff.ts";
import { constantBackoff } from "../backoff.ts";
import {
  BrokenCircuitError,
  IsolatedCircuitError,
  isBulkheadRejectedError,
  isTokenBucketRejectedError,
} from "../errors.ts";
import { systemClock } from "../scheduler.ts";
import { abortReason, neverAbortedSignal } from "../signals.ts";
import { countOutcome, outcomeAttributes } from "../telemetry.ts";
import type { Clock, Policy, Work } from "../types.ts";
import type { FailureDetector } from "./detector.ts";
import { Isolation } from "./isolation.ts";
import { type CircuitBreakerOptions, detectorFor } from "./options.ts";
import { ProbeRound } from "./probeRound.ts";
import {
  type BreakerCounts,
  type BreakerJSON,
  type BreakerSnapshot,
  type CircuitState,
  emptyCounts,
  type IsolationHandle,
  type StateChange,
} from "./state.ts";
import { StateChanges } from "./stateChanges.ts";

const SUCCESS = 0;
const FAILURE = 1;
const IGNORED = 2;
type Outcome = typeof SUCCESS | typeof FAILURE | typeof IGNORED;
const REJECTED = 3;

/** Stops calls to a failing dependency for a while, then probes it. */
export class CircuitBreaker implements Policy {
  readonly name: string;
  private current: CircuitState = "closed";
  private generation = 0;
  private openedAt = 0;
  private breakMs = 0;
  private openings = 0;
  private breakSequence: DelaySequence | undefined;
  private halfOpenedAt = 0;
  private round: ProbeRound;
  private readonly isolation = new Isolation();
  private readonly detector: FailureDetector;
  private readonly clock: Clock;
  private readonly breakBackoff: Backoff;
  private readonly probes: number;
  private readonly maxHalfOpenMs: number;
  private readonly slowMs: number | undefined;
  private readonly changes = new StateChanges();
  private readonly totals: BreakerCounts = emptyCounts();
  private readonly outcomeAttributes: Attributes[];

  constructor(private readonly opts: CircuitBreakerOptions = {}) {
    this.name = opts.name ?? "breaker";
    this.detector = detectorFor(opts);
    this.clock = opts.clock ?? systemClock;
    const brk = opts.breakDuration ?? 30_000;
    this.breakBackoff = typeof brk === "number" ? constantBackoff(brk) : brk;
    this.probes = opts.halfOpenProbes ?? 1;
    if (!Number.isInteger(this.probes) || this.probes < 1) {
      throw new RangeError("circuit breaker: halfOpenProbes must be an integer >= 1");
    }
    this.round = this.newRound();
    this.maxHalfOpenMs = opts.halfOpenMaxWaitMs ?? 60_000;
    this.slowMs = opts.slowCallDurationMs;
    this.outcomeAttributes = outcomeAttributes("circuit_breaker", this.name, [
      "success",
      "failure",
      "ignored",
      "rejected",
    ]);
    if (opts.initialState) this.restore(opts.initialState);
  }

  /** Current state (an open breaker whose break is over still reads "open" until a call arrives). */
  get state(): CircuitState {
    return this.current;
  }

  execute<T>(work: Work<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.current === "closed") return this.run(work, signal, this.generation);
    return this.admitSlowPath(work, signal);
  }

  private admitSlowPath<T>(work: Work<T>, signal?: AbortSignal): Promise<T> {
    if (this.current === "isolated") return this.reject(IsolatedCircuitError.fast());
    const now = this.clock.now();
    if (this.current === "open") {
      if (now - this.openedAt < this.breakMs) {
        return this.reject(BrokenCircuitError.fast(this.openedAt + this.breakMs - now));
      }
      this.transition("half-open", now);
    } else if (
      this.maxHalfOpenMs > 0 &&
      now - this.halfOpenedAt >= this.maxHalfOpenMs &&
      this.round.inFlight > 0
    ) {
      // Probes that never settled: give up on them and start a new break. (A round whose
      // probes all settled well but were too few for a verdict just admits the next one.)
      this.open(now);
      return this.reject(BrokenCircuitError.fast(this.breakMs));
    }
    if (!this.round.admit()) {
      return this.reject(BrokenCircuitError.fast(this.halfOpenRetryAfter(now)));
    }
    return this.run(work, signal, this.generation);
  }

  private reject<T>(error: BrokenCircuitError): Promise<T> {
    this.totals.rejections++;
    countOutcome(this.outcomeAttributes[REJECTED] as Attributes);
    return Promise.reject(error);
  }

  private async run<T>(work: Work<T>, signal: AbortSignal | undefined, gen: number): Promise<T> {
    const started = this.slowMs === undefined ? 0 : this.clock.now();
    let result: T;
    try {
      result = await work(signal ?? neverAbortedSignal);
    } catch (error) {
      this.settle(gen, this.classify(error, signal), started);
      throw error;
    }
    const bad = this.opts.shouldHandleResult?.(result) ?? false;
    this.settle(gen, bad ? FAILURE : SUCCESS, started);
    return result;
  }

  /**
   * Caller aborts and local rejections (a full bulkhead or empty token bucket
   * inside the breaker) say nothing about the dependency: neither counts.
   */
  private classify(error: unknown, signal: AbortSignal | undefined): Outcome {
    if (signal?.aborted || isBulkheadRejectedError(error) || isTokenBucketRejectedError(error)) {
      return IGNORED;
    }
    return !this.opts.shouldHandle || this.opts.shouldHandle(error) ? FAILURE : SUCCESS;
  }

  private settle(gen: number, outcome: Outcome, started: number): void {
    if (outcome === SUCCESS) this.totals.successes++;
    else if (outcome === FAILURE) this.totals.failures++;
    else this.totals.ignored++;
    countOutcome(this.outcomeAttributes[outcome] as Attributes);
    if (gen !== this.generation) {
      this.totals.late++;
      return;
    }
    const now = this.clock.now();
    const slow = this.slowMs !== undefined && now - started > this.slowMs;
    if (this.current === "half-open") {
      this.settleProbe(outcome, slow, now);
    } else if (outcome !== IGNORED && this.current === "closed") {
      if (this.detector.record(outcome === FAILURE, slow, now)) this.open(now);
    }
  }

  private settleProbe(outcome: Outcome, slow: boolean, now: number): void {
    // A probe whose caller gave up decides nothing; let another caller probe.
    if (outcome === IGNORED) {
      this.round.release();
      return;
    }
    const verdict = this.round.settle(outcome === FAILURE || slow);
    if (verdict === "open") this.open(now);
    else if (verdict === "close") this.close(now);
  }

  private open(now: number): void {
    this.openings++;
    this.breakSequence ??= this.breakBackoff();
    this.breakMs = this.breakSequence(this.openings);
    this.openedAt = now;
    this.transition("open", now);
  }

  private close(now: number): void {
    this.openings = 0;
    this.breakSequence = undefined;
    this.detector.reset();
    this.transition("closed", now);
  }

  private transition(to: CircuitState, now: number): void {
    const from = this.current;
    this.current = to;
    this.generation++;
    if (to === "half-open") {
      this.halfOpenedAt = now;
      this.round = this.newRound();
    }
    if (from !== to) this.changes.announce({ name: this.name, from, to, at: now });
  }

  private newRound(): ProbeRound {
    return new ProbeRound(this.probes, this.detector.probeFailureLimit(this.probes));
  }

  /** Subscribes to state changes; returns the unsubscribe function. */
  onStateChange(listener: (change: StateChange) => void): () => void {
    return this.changes.subscribe(listener);
  }

  /**
   * Holds the circuit open until every handle is disposed (reference-counted),
   * rejecting calls with IsolatedCircuitError. The last dispose closes it.
   */
  isolate(): IsolationHandle {
    const handle = this.isolation.acquire(() => this.close(this.clock.now()));
    if (this.current !== "isolated") this.transition("isolated", this.clock.now());
    return handle;
  }

  /** Closes the circuit, clears its window, its backoff and every isolation. */
  reset(): void {
    this.isolation.clear();
    this.close(this.clock.now());
  }

  /** ms until a call would be admitted now (0 when closed; Infinity when isolated). */
  retryAfterMs(): number {
    if (this.current === "isolated") return Number.POSITIVE_INFINITY;
    if (this.current === "closed") return 0;
    const now = this.clock.now();
    if (this.current === "open") return Math.max(0, this.openedAt + this.breakMs - now);
    return this.round.hasRoom ? 0 : this.halfOpenRetryAfter(now);
  }

  /**
   * Wait suggested to callers turned away while probes run: the rest of the
   * break counted from the half-open transition (Polly), or once that is
   * over, the time until stuck probes are given up.
   */
  private halfOpenRetryAfter(now: number): number {
    const untilBreak = this.halfOpenedAt + this.breakMs - now;
    if (untilBreak > 0) return untilBreak;
    if (this.maxHalfOpenMs > 0) return Math.max(0, this.halfOpenedAt + this.maxHalfOpenMs - now);
    return this.breakMs;
  }

  /** A JSON-safe view for status pages. */
  snapshot(): BreakerSnapshot {
    const retryAfter = this.retryAfterMs();
    return {
      name: this.name,
      state: this.current,
      retryAfterMs: Number.isFinite(retryAfter) ? retryAfter : null,
      openings: this.openings,
      counts: { ...this.totals },
      window: this.detector.counts(this.clock.now()),
    };
  }

  /** State as plain data, for `initialState`. */
  toJSON(): BreakerJSON {
    const state =
      this.current === "closed" ? "closed" : this.current === "isolated" ? "isolated" : "open";
    return {
      state,
      openedAt: this.current === "half-open" ? 0 : this.openedAt,
      openings: this.openings,
      detector: this.detector.toJSON(),
    };
  }

  private restore(json: BreakerJSON): void {
    this.detector.restore(json.detector);
    this.openings = 0;
    if (json.state === "closed") return;
    // Replay the break backoff so the next opening continues the sequence.
    this.breakSequence = this.breakBackoff();
    const openings = Math.max(1, Math.min(json.openings, 10_000));
    for (let i = 1; i <= openings; i++) this.breakMs = this.breakSequence(i);
    this.openings = openings;
    this.openedAt = json.openedAt;
    this.current = json.state;
    if (json.state === "isolated") this.isolation.hold();
  }
}

/** Creates a CircuitBreaker. */
export function circuitBreaker(opts: CircuitBreakerOptions = {}): CircuitBreaker {
  return new CircuitBreaker(opts);
}
