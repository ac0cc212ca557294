/** Bar times formatted from a cached day prefix are exactly what `toISOString` writes. */
import { expect, test } from "bun:test";
import { isoMinute } from "../../src/providers/simulator/minuteBars.ts";

const reference = (t: number) => new Date(t).toISOString().replace(".000Z", "Z");

test("whole minutes from 1970 to 9999, and times that are not whole minutes, as toISOString", () => {
  const times = [
    0,
    60_000,
    86_340_000,
    Date.UTC(2024, 1, 29, 23, 59),
    Date.UTC(2024, 2, 10, 7, 0), // a DST day in New York: UTC has none
    Date.UTC(9999, 11, 31, 23, 59),
    Date.UTC(10_000, 0, 1),
    -60_000,
    1_234,
    Date.UTC(2024, 0, 2, 14, 30, 15),
  ];
  // Days in and out of order: the cached prefix must follow.
  for (let t = 0, i = 0; t < 2.5e14; t += 79_193 * 60_000 + (i % 3 === 0 ? 0 : 1_234), i++) {
    times.push(t);
  }
  for (const t of times) expect([t, isoMinute(t)]).toEqual([t, reference(t)]);
});
