/**
 * /readyz probes shared: one probe per TTL however many callers, concurrent
 * callers share the one in flight, a failed or throwing probe is retried at once.
 */
import { expect, test } from "bun:test";
import { cachedProbe } from "../../src/http/cachedProbe.ts";

function counting(fail = false, ok = true) {
  let calls = 0;
  const probe = async () => {
    calls++;
    if (fail) throw new Error("probe failed");
    return { database: { ok, state: `${ok ? "ready" : "unavailable"}-${calls}` } };
  };
  return { probe, calls: () => calls };
}

test("one probe per TTL, shared by concurrent and later callers", async () => {
  let t = 0;
  const source = counting();
  const probe = cachedProbe(source.probe, { ttlMs: 1000, now: () => t });
  const answers = await Promise.all(Array.from({ length: 50 }, () => probe()));
  expect(source.calls()).toBe(1);
  expect(new Set(answers.map((a) => a.database?.state))).toEqual(new Set(["ready-1"]));
  t = 999;
  expect((await probe()).database?.state).toBe("ready-1");
  t = 1000;
  expect((await probe()).database?.state).toBe("ready-2");
  expect(source.calls()).toBe(2);
});

test("a probe that throws is not kept", async () => {
  let t = 0;
  const source = counting(true);
  const probe = cachedProbe(source.probe, { ttlMs: 1000, now: () => t });
  await expect(probe()).rejects.toThrow("probe failed");
  t = 1;
  await expect(probe()).rejects.toThrow("probe failed");
  expect(source.calls()).toBe(2);
});

test("an answer naming a failed component is shared while in flight, then not kept", async () => {
  let t = 0;
  const source = counting(false, false);
  const probe = cachedProbe(source.probe, { ttlMs: 1000, now: () => t });
  const together = await Promise.all([probe(), probe(), probe()]);
  expect(source.calls()).toBe(1);
  expect(together[2]?.database?.state).toBe("unavailable-1");
  t = 1;
  expect((await probe()).database?.state).toBe("unavailable-2");
});

test("a local signal drops the kept answer at once", async () => {
  let connected = true;
  const source = counting();
  const probe = cachedProbe(source.probe, {
    ttlMs: 1000,
    now: () => 0,
    stillValid: () => connected,
  });
  await probe();
  await probe();
  expect(source.calls()).toBe(1);
  connected = false;
  expect((await probe()).database?.state).toBe("ready-2");
});

test("a probe in flight is shared even while the local signal says no", async () => {
  const source = counting();
  const probe = cachedProbe(source.probe, { ttlMs: 1000, now: () => 0, stillValid: () => false });
  await Promise.all(Array.from({ length: 20 }, () => probe()));
  expect(source.calls()).toBe(1);
});
