/**
 * The time range of a market or news request: RFC 3339 `start`/`end` (finer
 * than a millisecond honoured), the defaults when either is absent, the order
 * and span rules, and the ranges that can hold nothing (answered empty without
 * asking a provider). Rules: docs/providers.md, "Validation decisions".
 * @module
 */
import { ApiError } from "../errors.ts";

const DAY = 86_400_000;
const MINUTE = 60_000;

/** A 400 naming the query part at fault. */
export const invalidQuery = (path: string, message: string): ApiError =>
  new ApiError("invalid_request", {
    message: "The request query is invalid.",
    details: [{ path, message }],
  });

/**
 * The first millisecond at or after an RFC 3339 instant. `Date.parse` drops digits past
 * the millisecond (clients such as Python's `isoformat()` send microseconds), which moved
 * an inclusive start before itself: `…14:30:00.0001Z` answered the 14:30:00.000 bar.
 */
function instantAtOrAfter(text: string): number {
  const ms = Date.parse(text);
  const beyond = /\.\d{3}(\d+)/.exec(text)?.[1];
  return beyond !== undefined && /[1-9]/.test(beyond) ? ms + 1 : ms;
}

/**
 * Whether RFC 3339 `start` is at or before `end` within their common millisecond: rounding
 * `start` up and `end` down there leaves no whole millisecond between them, yet the client
 * sent no `start > end` (`…00.0001Z` to `…00.0009Z`, or both `…00.0001Z`).
 */
function orderedWithinMillisecond(start: string, end: string): boolean {
  const beyond = (text: string) => (/\.\d{3}(\d+)/.exec(text)?.[1] ?? "").replace(/0+$/, "");
  const [a, b] = [beyond(start), beyond(end)];
  const width = Math.max(a.length, b.length);
  return a.padEnd(width, "0") <= b.padEnd(width, "0");
}

/** A resolved range; `empty` when it can hold nothing, so no provider is asked. */
export interface ResolvedRange {
  start: number;
  end: number;
  empty: boolean;
}

/** Resolves start/end (defaults, order, span); throws a 400 for a range the API refuses. */
export function resolveRange(
  start: string | undefined,
  end: string | undefined,
  now: number,
  defaultSpan: number,
  maxSpan: number,
): ResolvedRange {
  // Without `end`, the last whole minute: the same request within a minute is the same
  // query, so it shares the provider cache (and its stale fallback) instead of missing it
  // on every call because `now` moved by a few milliseconds. A `start` inside the current
  // minute ("since my last poll") gets `now`, so it is never after its own default end.
  const requestedStart = start ? instantAtOrAfter(start) : undefined;
  const minute = now - (now % MINUTE);
  // A `start` after now with no `end` (a poller whose clock runs ahead): nothing yet, not a 400.
  if (!end && requestedStart !== undefined && requestedStart > now)
    return { start: requestedStart, end: requestedStart, empty: true };
  const endMs = end
    ? Date.parse(end) // truncating a finer fraction keeps an inclusive end inclusive
    : requestedStart !== undefined && requestedStart > minute
      ? now
      : minute;
  const startMs = requestedStart ?? endMs - defaultSpan;
  if (startMs > endMs) {
    // Rounded past each other inside one millisecond: a range no bar or item time falls in.
    if (start && end && Date.parse(start) === endMs && orderedWithinMillisecond(start, end))
      return { start: endMs, end: endMs, empty: true };
    throw invalidQuery("query.start", "must not be after end");
  }
  if (endMs - startMs > maxSpan)
    throw invalidQuery("query.start", `range must not exceed ${Math.round(maxSpan / DAY)} days`);
  return { start: startMs, end: endMs, empty: false };
}
