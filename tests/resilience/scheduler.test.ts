/** The real scheduler with delays a plain `setTimeout` cannot hold (it fires those after 1 ms). */
import { expect, test } from "bun:test";
import { systemScheduler } from "../../src/resilience/scheduler.ts";

test("a delay past 2^31 ms does not fire early; Infinity never fires; both can be cleared", async () => {
  const fired: string[] = [];
  const long = systemScheduler.setTimeout(() => fired.push("long"), 2 ** 31 + 5);
  const never = systemScheduler.setTimeout(() => fired.push("never"), Number.POSITIVE_INFINITY);
  const soon = systemScheduler.setTimeout(() => fired.push("soon"), 5);
  await Bun.sleep(50);
  expect(fired).toEqual(["soon"]);
  systemScheduler.clearTimeout(long);
  systemScheduler.clearTimeout(never);
  systemScheduler.clearTimeout(soon);
});
