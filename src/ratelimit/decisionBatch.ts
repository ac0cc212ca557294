/**
 * Decisions share script calls. A decision joins a queue that is flushed a
 * few microtask hops later, in the same turn of the event loop (no timer, so
 * no added latency when idle), while fewer than {@link MAX_CALLS_IN_FLIGHT}
 * calls are in flight; otherwise when the next reply arrives, carrying every
 * decision that queued up meanwhile. Each call pays a fixed cost in Redis (parsing, script
 * set-up, `TIME`, the reply) and a socket write in the client; sharing it is
 * what makes the store cheaper per decision under load (docs/ratelimit.md).
 *
 * A call only carries decisions whose keys share one hash tag, so every call
 * is valid on a Redis Cluster; every key the limiter writes has the same tag
 * (hashTag.ts), so in production that is no restriction.
 *
 * Nothing about a decision changes: the script runs the decisions of a batch
 * one after another, atomically, each all-or-nothing over its own limits, at
 * one Redis `TIME` instant, exactly as if they had been separate calls that
 * arrived in the same microsecond. A failed call fails every decision in it
 * (closed). The wait before sending counts against each decision's deadline;
 * it is never longer than the deadline of a call already in flight.
 *
 * A call that reaches Redis after its decisions' deadline (it sat behind a
 * stalled or paused server) must not charge budgets for requests already
 * answered 503. Each call carries the Redis instant after which it writes
 * nothing (ARGV[2] of gcra.lua): the deadline plus {@link LATE_GRACE_MS},
 * moved to Redis's clock by an offset learnt from earlier replies (which
 * carry Redis `TIME`). Only replies read within the grace of their sending
 * teach it, so its error is below the grace: a call is refused only when it
 * ran after its deadline. A late call admits nothing (closed).
 *
 * No timer or `setImmediate` decides when to send: under `bun test`'s
 * `expect(...).rejects`, a Bun Redis command sent from an immediate was not
 * written for up to a second. Sends happen in microtasks of `decide()` or of
 * a reply, paths that Bun's client writes at once.
 * @module
 */
import { StoreUnavailableError } from "./errors.ts";
import type { GcraEvaluation, GcraParams } from "./gcra.ts";
import { hashTagOf } from "./hashTag.ts";
import { evaluateReply, REPLY_HEADER, replyProblem } from "./scriptReply.ts";

/** One decision: the TAT keys (prefixed) and GCRA parameters of its limits. */
export interface DecisionRequest {
  keys: string[];
  params: GcraParams[];
  peek: boolean;
}

/**
 * Runs the script once: `decisions` decisions, `since` = when the oldest of
 * them was asked for (`performance.now()`), which starts their deadline.
 */
export type ScriptRunner = (
  keys: string[],
  args: string[],
  decisions: number,
  since: number,
) => Promise<unknown>;

interface Queued {
  request: DecisionRequest;
  resolve: (evaluation: GcraEvaluation) => void;
  reject: (error: unknown) => void;
}

/** Decisions per call at most: bounds how long one script holds Redis (~10 µs each). */
export const MAX_BATCH_DECISIONS = 64;

/** Calls in flight before decisions queue: two keep Redis busy while a reply travels. */
const MAX_CALLS_IN_FLIGHT = 2;

/**
 * Calls in flight when the round trip is long. A queued decision waits up to
 * one round trip before it is sent, then takes its own: once a round trip is
 * over a third of the deadline, the two no longer fit with a margin, and a
 * far-away Redis (cross-region, managed) answering every call in time left
 * nearly every decision under load to time out (a probe: 99 % refused at a
 * 60 ms round trip against 100 ms). Sharing calls saves little next to such
 * a round trip, so decisions then go out at once instead.
 */
const MAX_CALLS_IN_FLIGHT_FAR = 16;

/**
 * Microtask hops before a flush. A caller resumed by a reply reaches its next
 * `decide()` within ~4 hops (the store's await, its return, the caller's
 * await and a `.catch`); 8 leaves room and costs well under a microsecond.
 */
const FLUSH_AFTER_HOPS = 8;

/** A flush with nothing in flight and at least this many decisions is sent as two calls. */
const SPLIT_FROM = 8;

/**
 * Slack past the deadline before a call stops writing: covers how much the
 * clock offset may be underestimated (the delay between a script's `TIME`
 * and our reading of its reply, event-loop lag included).
 */
export const LATE_GRACE_MS = 10;

/** Our wall clock in µs, at sub-millisecond resolution. */
const localMicros = (atPerformanceMs = performance.now()) =>
  (performance.timeOrigin + atPerformanceMs) * 1000;

/** Collects decisions and sends them in shared script calls (see the module comment). */
export class DecisionBatcher {
  #queue: Queued[] = [];
  #now = "";
  #since = 0;
  #inFlight = 0;
  #flushScheduled = false;
  readonly #run: ScriptRunner;
  readonly #deadlineMs: number | undefined;
  /** Redis `TIME` minus our clock (µs), from the last prompt reply; undefined until one. */
  #offsetUs: number | undefined;
  /** Answered calls' round trip (ms), smoothed; 0 until the first. */
  #roundTripMs = 0;

  /**
   * @param deadlineMs The runner's deadline per call (from `since`); calls that would run
   *   later write nothing. Undefined: no such guard (tests of batching alone).
   */
  constructor(run: ScriptRunner, deadlineMs?: number) {
    this.#run = run;
    this.#deadlineMs = deadlineMs;
  }

  /**
   * Queues one decision. `now` is the script's clock argument: `""` (Redis
   * `TIME`) in production; a batch never mixes two instants.
   */
  decide(request: DecisionRequest, now: string): Promise<GcraEvaluation> {
    if (this.#queue.length > 0 && now !== this.#now) this.flush();
    return new Promise<GcraEvaluation>((resolve, reject) => {
      if (this.#queue.length === 0) {
        this.#now = now;
        this.#since = performance.now();
      }
      this.#queue.push({ request, resolve, reject });
      if (this.#queue.length >= MAX_BATCH_DECISIONS) this.flush();
      else if (this.#inFlight < this.#maxInFlight()) this.#scheduleFlush();
    });
  }

  /** Sends what is queued now: one call per hash slot (all of them share one in production). */
  flush(): void {
    const queued = this.#queue;
    if (queued.length === 0) return;
    this.#queue = [];
    for (const group of bySlot(queued)) {
      if (this.#inFlight === 0 && group.length >= SPLIT_FROM) {
        // Two calls: Redis runs the second while this process handles the first reply,
        // and the two halves keep alternating from then on.
        const half = Math.ceil(group.length / 2);
        this.#send(group.slice(0, half));
        this.#send(group.slice(half));
      } else {
        this.#send(group);
      }
    }
  }

  #send(batch: Queued[]): void {
    const keys: string[] = [];
    const redisTime = this.#now === "";
    const args = [this.#now, redisTime ? this.#lateAt(this.#since) : ""];
    for (const { request } of batch) {
      for (const key of request.keys) keys.push(key);
      args.push(String(request.keys.length), request.peek ? "1" : "0");
      for (const p of request.params) args.push(String(p.toleranceUs), String(p.incrementUs));
    }
    this.#inFlight++;
    const sentAt = performance.now();
    this.#run(keys, args, batch.length, this.#since).then(
      (reply) => {
        this.#inFlight--;
        this.#noteRoundTrip(performance.now() - sentAt);
        if (redisTime) this.#learnOffset(reply, sentAt);
        settle(batch, reply);
        this.#scheduleFlush();
      },
      (error: unknown) => {
        this.#inFlight--;
        for (const queued of batch) queued.reject(error);
        this.#scheduleFlush();
      },
    );
  }

  /**
   * Smoothed (a quarter of each new sample): a reply read late because our own event
   * loop was busy is one sample, not a switch to many calls in flight on an overloaded host.
   */
  #noteRoundTrip(ms: number): void {
    this.#roundTripMs = this.#roundTripMs === 0 ? ms : 0.75 * this.#roundTripMs + 0.25 * ms;
  }

  /** How many calls may be in flight before decisions queue (see {@link MAX_CALLS_IN_FLIGHT_FAR}). */
  #maxInFlight(): number {
    const far = this.#deadlineMs !== undefined && this.#roundTripMs * 3 > this.#deadlineMs;
    return far ? MAX_CALLS_IN_FLIGHT_FAR : MAX_CALLS_IN_FLIGHT;
  }

  /** The Redis instant after which a call asked for at `since` must not write, or "" (unknown). */
  #lateAt(since: number): string {
    if (this.#deadlineMs === undefined || this.#offsetUs === undefined) return "";
    const lateLocal = localMicros(since + this.#deadlineMs + LATE_GRACE_MS);
    return String(Math.round(lateLocal + this.#offsetUs));
  }

  /**
   * Redis ran the script between sending (`sentAt`) and now, so Redis `TIME`
   * minus our clock now is the offset to within the round trip. Only a round
   * trip within the grace teaches it: a stalled server or a blocked event loop
   * would make the reading too low by the stall. The latest such reading wins,
   * so a clock step on either side is followed by the next prompt reply.
   */
  #learnOffset(reply: unknown, sentAt: number): void {
    const readAt = performance.now();
    if (readAt - sentAt > LATE_GRACE_MS) return;
    const redisNow = Array.isArray(reply) ? Number(reply[0]) : Number.NaN;
    if (Number.isFinite(redisNow)) this.#offsetUs = redisNow - localMicros(readAt);
  }

  /**
   * Flushes after a few microtask hops: long enough for the callers that one
   * reply resumed (or one synchronous burst) to ask their next decisions, so
   * those share a call; still within the same turn of the event loop.
   */
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    let hops = FLUSH_AFTER_HOPS;
    const hop = () => {
      if (--hops > 0) {
        queueMicrotask(hop);
        return;
      }
      this.#flushScheduled = false;
      if (this.#inFlight < this.#maxInFlight()) this.flush();
    };
    queueMicrotask(hop);
  }
}

/**
 * The queue split by hash tag, order kept within each part: a call must only
 * touch keys of one cluster slot. The keys of one decision share a tag
 * (checked by the store), so its first key stands for all of them.
 */
function bySlot(queued: Queued[]): Queued[][] {
  const first = queued[0];
  const tag = first === undefined ? "" : hashTagOf(first.request.keys[0] ?? "");
  if (queued.every((q) => hashTagOf(q.request.keys[0] ?? "") === tag)) return [queued];
  const groups = new Map<string, Queued[]>();
  for (const q of queued) {
    const key = hashTagOf(q.request.keys[0] ?? "");
    const group = groups.get(key);
    if (group) group.push(q);
    else groups.set(key, [q]);
  }
  return [...groups.values()];
}

/**
 * Splits the reply `[now, late, ([allowed, wait_1 … wait_m] × decisions)]` and
 * settles each decision. A late call wrote nothing, so it admits nothing.
 */
function settle(batch: Queued[], reply: unknown): void {
  let expected = REPLY_HEADER;
  for (const { request } of batch) expected += 1 + request.params.length;
  const problem =
    replyProblem(reply) ??
    ((reply as unknown[]).length === expected ? undefined : ("script_error" as const));
  if (problem) {
    const error = new StoreUnavailableError(problem);
    for (const queued of batch) queued.reject(error);
    return;
  }
  const values = reply as number[];
  let at = REPLY_HEADER;
  for (const queued of batch) {
    const params = queued.request.params;
    const evaluation = evaluateReply(values, at, params);
    if (evaluation) queued.resolve(evaluation);
    else queued.reject(new StoreUnavailableError("script_error"));
    at += 1 + params.length;
  }
}
