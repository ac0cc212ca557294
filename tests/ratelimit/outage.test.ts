/**
 * The store's outage lines: one pair per outage, but a store flapping at its
 * memory limit does not write a pair per flip, and an outage is never left
 * unlogged because it began right after a flap.
 */
import { expect, test } from "bun:test";
import { StoreUnavailableError } from "../../src/ratelimit/errors.ts";
import { Outage } from "../../src/ratelimit/outage.ts";
import type { Logger } from "../../src/telemetry/logger.ts";

function harness() {
  let now = 0;
  const lines: Array<{ line: string; fields?: Record<string, unknown> }> = [];
  const log = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push({ line: `${level} ${msg}`, ...(fields && { fields }) });
  };
  let drops = 0;
  const outage = new Outage(
    { warn: log("warn"), info: log("info") } as unknown as Logger,
    () => drops++,
    () => now,
  );
  return {
    outage,
    lines,
    advance: (ms: number) => {
      now += ms;
    },
    drops: () => drops,
  };
}

const scriptError = new StoreUnavailableError("script_error");

test("one outage: one line when it starts, one when it ends", () => {
  const { outage, lines } = harness();
  for (let i = 0; i < 5; i++) outage.failed(scriptError);
  expect(outage.failing).toBe(true);
  outage.succeeded();
  outage.succeeded();
  expect(outage.failing).toBe(false);
  expect(lines).toEqual([
    {
      line: "warn rate-limit store failing; requests are refused",
      fields: { reason: "script_error" },
    },
    { line: "info rate-limit store answering again", fields: { failed_decisions: 5 } },
  ]);
});

test("flapping: one pair per 10 s, the flips in between counted in the next line", () => {
  const { outage, lines, advance } = harness();
  for (let i = 0; i < 100; i++) {
    outage.failed(scriptError);
    outage.succeeded();
    advance(20);
  }
  expect(lines).toHaveLength(2);
  advance(10_000);
  outage.failed(scriptError);
  expect(lines).toHaveLength(3);
  expect(lines[2]?.fields).toEqual({
    reason: "script_error",
    earlier_unlogged_outages: 99,
    earlier_failed_decisions: 99,
  });
});

test("an outage that starts inside the quiet period is logged once the period is over", () => {
  const { outage, lines, advance } = harness();
  outage.failed(scriptError);
  outage.succeeded();
  advance(1_000);
  outage.failed(scriptError); // quiet: the last start line was 1 s ago
  expect(lines).toHaveLength(2);
  advance(9_000);
  outage.failed(scriptError); // still failing, 10 s after the last start line
  expect(lines.map((l) => l.line)).toEqual([
    "warn rate-limit store failing; requests are refused",
    "info rate-limit store answering again",
    "warn rate-limit store failing; requests are refused",
  ]);
  outage.failed(scriptError);
  expect(lines).toHaveLength(3);
  outage.succeeded();
  expect(lines.at(-1)).toEqual({
    line: "info rate-limit store answering again",
    fields: { failed_decisions: 3 },
  });
});

test("an outage that starts in the quiet period and ends after it is reported when it ends", () => {
  const { outage, lines, advance } = harness();
  outage.failed(scriptError);
  outage.succeeded();
  advance(2_000);
  outage.failed(scriptError); // quiet: counted, not logged
  outage.succeeded();
  advance(1_000);
  outage.failed(scriptError, 4); // quiet again
  advance(8_000); // ends 11 s after the last start line, with no failure after the period
  outage.succeeded();
  expect(lines.slice(2)).toEqual([
    {
      line: "warn rate-limit store failed briefly; answering again",
      fields: { unlogged_outages: 2, failed_decisions: 5 },
    },
  ]);
  // Counted once: the next outage's line carries no earlier counts.
  outage.failed(scriptError);
  expect(lines.at(-1)?.fields).toEqual({ reason: "script_error" });
});

test("three timed-out decisions in a row drop the socket", () => {
  const { outage, drops } = harness();
  const timeout = new StoreUnavailableError("timeout");
  outage.failed(timeout);
  outage.failed(timeout);
  outage.failed(scriptError);
  outage.failed(timeout, 2);
  expect(drops()).toBe(0);
  outage.failed(timeout);
  expect(drops()).toBe(1);
});
