/** One grace-replay report per session and window, in bounded memory at a bounded cost. */
import { expect, test } from "bun:test";
import { GraceReplays } from "../../src/auth/graceReplays.ts";

test("the first replay per session in each grace window, then again after it", () => {
  const replays = new GraceReplays(10_000);
  expect(replays.first("s1", 0)).toBe(true);
  expect(replays.first("s1", 10_000)).toBe(false);
  expect(replays.first("s2", 10_000)).toBe(true);
  expect(replays.first("s1", 10_001)).toBe(true);
  replays.forget("s1");
  expect(replays.first("s1", 10_002)).toBe(true);
});

test("past 10 000 sessions, all inside their window, the oldest tenth goes at once", () => {
  const replays = new GraceReplays(300_000);
  for (let i = 0; i <= 10_000; i++) expect(replays.first(`s${i}`, 1)).toBe(true);
  // In one batch, so each call stays cheap: evicting one entry per call, with a walk of the
  // whole map each time, cost ~150 µs a call once full (review).
  expect(replays.size).toBe(9_000);
  expect(replays.first("s10000", 2)).toBe(false); // the newest are kept
  expect(replays.first("s0", 2)).toBe(true); // the oldest were forgotten: one more report at worst
});
