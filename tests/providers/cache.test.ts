/** The response cache is bounded by answers and by the items in them, oldest used first out. */
import { expect, test } from "bun:test";
import { OperationCaches, ResponseCache } from "../../src/providers/cache.ts";

const bars = (n: number) => Array.from({ length: n }, (_, i) => i);

test("bounded by items: big answers push out the oldest", () => {
  const cache = new ResponseCache(100, 1_000);
  cache.set("a", bars(400), 1);
  cache.set("b", bars(400), 2);
  expect(cache.items).toBe(800);
  cache.get("a"); // a is now the most recently used
  cache.set("c", bars(400), 3);
  expect(cache.get("b")).toBeUndefined();
  expect(cache.get("a")?.storedAt).toBe(1);
  expect(cache.items).toBe(800);
});

test("bounded by entries; replacing a key does not double count; oversize answers are not kept", () => {
  const cache = new ResponseCache(2, 1_000);
  cache.set("q1", { bid: 1 }, 1);
  cache.set("q1", { bid: 2 }, 2);
  expect([cache.size, cache.items]).toEqual([1, 1]);
  cache.set("q2", { bid: 3 }, 3);
  cache.set("q3", { bid: 4 }, 4);
  expect(cache.get("q1")).toBeUndefined();
  cache.set("huge", bars(5_000), 5);
  expect(cache.get("huge")).toBeUndefined();
  expect(cache.items).toBe(2);
});

test("each operation has its own budget: a flood of large bars answers keeps the quotes", () => {
  const caches = new OperationCaches();
  caches.for("quote").set("alpaca|AAPL", { bid: 1 }, 1);
  for (let i = 0; i < 20; i++) caches.for("bars").set(`alpaca|S${i}|1Min`, bars(10_000), 2);
  expect(caches.for("quote").get("alpaca|AAPL")?.data).toEqual({ bid: 1 });
  expect(caches.for("bars").items).toBeLessThanOrEqual(200_000);
  expect(caches.for("quote")).toBe(caches.for("quote"));
});
