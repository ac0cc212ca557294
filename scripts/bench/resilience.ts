/**
 * Overhead of our resilience policies against cockatiel and opossum, on the
 * same async work. Run once: `bun scripts/bench/resilience.ts`.
 *
 * Each group measures a bare `await work()` as the baseline; overhead is a
 * variant's mean minus the baseline's mean. Then heap per 10,000 breakers.
 */
import { heapStats } from "bun:jsc";
import * as cockatiel from "cockatiel";
import { bench, do_not_optimize, group, run } from "mitata";
import Opossum from "opossum";
import {
  bulkhead,
  CircuitBreaker,
  pipeline,
  retry,
  timeout,
  withCircuitBreaker,
  withRetry,
  withTimeout,
} from "../../src/resilience/index.ts";

const ok = async () => 1;
const boom = new Error("boom");
const fail = async (): Promise<never> => {
  throw boom;
};
const noop = () => {};
const LONG = 1e9;

// Lean opossum: no timeout timer, no snapshot/percentile bookkeeping.
const lean = { timeout: false as const, enableSnapshots: false, rollingPercentilesEnabled: false };

function cockatielBreaker(threshold: number) {
  return cockatiel.circuitBreaker(cockatiel.handleAll, {
    halfOpenAfter: LONG,
    breaker: new cockatiel.ConsecutiveBreaker(threshold),
  });
}

const opened: { stop(): void }[] = [];
function opossum(fn: () => Promise<number>, opts: Opossum.Options = lean) {
  const breaker = new Opossum(fn, opts);
  opened.push({ stop: () => breaker.shutdown() });
  return breaker;
}

// --- policies under test
const ours = {
  closed: new CircuitBreaker({ failureThreshold: 5 }),
  closedFail: new CircuitBreaker({ failureThreshold: 1e9 }),
  open: new CircuitBreaker({ failureThreshold: 1, breakDuration: LONG }),
  retry: retry({ maxAttempts: 3 }),
  timeout: timeout(1_000),
  bulkhead: bulkhead({ maxConcurrent: 10 }),
  composed: pipeline(
    retry({ maxAttempts: 3 }),
    new CircuitBreaker({ failureThreshold: 5 }),
    timeout(1_000),
  ),
  seed: withRetry({ maxAttempts: 3 })(
    withCircuitBreaker("bench", { failureThreshold: 5 })(withTimeout(1_000)(ok)),
  ),
};
await ours.open.execute(fail).catch(noop);

const ck = {
  closed: cockatielBreaker(5),
  closedFail: cockatielBreaker(1e9),
  open: cockatielBreaker(1),
  retry: cockatiel.retry(cockatiel.handleAll, { maxAttempts: 2 }),
  timeout: cockatiel.timeout(1_000, cockatiel.TimeoutStrategy.Cooperative),
  bulkhead: cockatiel.bulkhead(10, 0),
  composed: cockatiel.wrap(
    cockatiel.retry(cockatiel.handleAll, { maxAttempts: 2 }),
    cockatielBreaker(5),
    cockatiel.timeout(1_000, cockatiel.TimeoutStrategy.Cooperative),
  ),
};
await ck.open.execute(fail).catch(noop);

const op = {
  closed: opossum(ok),
  closedDefaults: opossum(ok, {}),
  closedFail: opossum(fail, { ...lean, errorThresholdPercentage: 100 }),
  open: opossum(ok),
  timeout: opossum(ok, { ...lean, timeout: 1_000 }),
};
op.open.open();

// --- groups: [group, variant] → label
const cases: Record<string, Record<string, () => Promise<unknown>>> = {
  "breaker closed success": {
    ours: () => ours.closed.execute(ok),
    cockatiel: () => ck.closed.execute(ok),
    opossum: () => op.closed.fire(),
    "opossum (defaults)": () => op.closedDefaults.fire(),
  },
  "breaker closed failure": {
    ours: () => ours.closedFail.execute(fail).catch(noop),
    cockatiel: () => ck.closedFail.execute(fail).catch(noop),
    opossum: () => op.closedFail.fire().catch(noop),
  },
  "breaker open rejection": {
    ours: () => ours.open.execute(ok).catch(noop),
    cockatiel: () => ck.open.execute(ok).catch(noop),
    opossum: () => op.open.fire().catch(noop),
  },
  "retry success": {
    ours: () => ours.retry.execute(ok),
    cockatiel: () => ck.retry.execute(ok),
  },
  "timeout success": {
    ours: () => ours.timeout.execute(ok),
    cockatiel: () => ck.timeout.execute(ok),
    "opossum (breaker+timeout)": () => op.timeout.fire(),
  },
  "bulkhead uncontended": {
    ours: () => ours.bulkhead.execute(ok),
    cockatiel: () => ck.bulkhead.execute(ok),
  },
  "retry+breaker+timeout": {
    ours: () => ours.composed.execute(ok),
    "ours (seed decorators)": () => ours.seed(),
    cockatiel: () => ck.composed.execute(ok),
    "opossum (breaker+timeout)": () => op.timeout.fire(),
  },
};

for (const [name, variants] of Object.entries(cases)) {
  group(name, () => {
    bench(`${name} | bare call`, async () => do_not_optimize(await ok())).baseline(true);
    for (const [variant, fn] of Object.entries(variants)) {
      bench(`${name} | ${variant}`, async () => do_not_optimize(await fn()));
    }
  });
}

const { benchmarks } = await run({ format: "quiet" });
const mean = new Map<string, number>();
for (const trial of benchmarks) {
  const stats = trial.runs[0]?.stats;
  if (stats) mean.set(trial.alias, stats.avg);
}
for (const { stop } of opened) stop();

const fmt = (ns: number) => `${ns.toFixed(0).padStart(6)} ns`;
const rows: string[] = [];
for (const [name, variants] of Object.entries(cases)) {
  const base = mean.get(`${name} | bare call`) ?? 0;
  const overhead = (v: string) => (mean.get(`${name} | ${v}`) ?? Number.NaN) - base;
  const oursOver = overhead("ours");
  for (const variant of Object.keys(variants)) {
    const total = mean.get(`${name} | ${variant}`) ?? Number.NaN;
    const over = overhead(variant);
    const ratio = variant === "ours" ? "" : `ours/this = ${(oursOver / over).toFixed(2)}`;
    rows.push(`| ${name} | ${variant} | ${fmt(total)} | ${fmt(over)} | ${ratio} |`);
  }
}

// --- heap per 10,000 breakers (kept alive while measured)
function heapOf(make: () => unknown): number {
  Bun.gc(true);
  const before = heapStats().heapSize;
  const keep = Array.from({ length: 10_000 }, make);
  Bun.gc(true);
  const after = heapStats().heapSize;
  do_not_optimize(keep);
  return after - before;
}
const heap = {
  ours: heapOf(() => new CircuitBreaker({ failureThreshold: 5 })),
  cockatiel: heapOf(() => cockatielBreaker(5)),
  "opossum (lean)": heapOf(() => opossum(ok)),
  "opossum (defaults)": heapOf(() => opossum(ok, {})),
};
for (const { stop } of opened) stop();

const composedOurs =
  (mean.get("retry+breaker+timeout | ours") ?? 0) -
  (mean.get("retry+breaker+timeout | bare call") ?? 0);
const composedCk =
  (mean.get("retry+breaker+timeout | cockatiel") ?? 0) -
  (mean.get("retry+breaker+timeout | bare call") ?? 0);
const rejection = mean.get("breaker open rejection | ours") ?? Number.NaN;

console.log(
  `Bun ${Bun.version}, ${process.platform}/${process.arch}, cockatiel 4.0.0, opossum 10.0.0, mitata 1.0.34`,
);
console.log("\n| case | variant | mean per call | overhead vs bare call | ratio |");
console.log("|---|---|---:|---:|---|");
for (const row of rows) console.log(row);
console.log("\n| heap per 10,000 breakers | bytes | per breaker |");
console.log("|---|---:|---:|");
for (const [k, v] of Object.entries(heap)) {
  console.log(`| ${k} | ${v.toLocaleString("en")} | ${(v / 10_000).toFixed(0)} B |`);
}
console.log("\nTargets:");
console.log(
  `- composed overhead ours/cockatiel = ${(composedOurs / composedCk).toFixed(2)} (target ≤ 0.50): ${composedOurs / composedCk <= 0.5 ? "met" : "MISSED"}`,
);
console.log(
  `- open-circuit rejection = ${rejection.toFixed(0)} ns per call (target ≤ 1000 ns): ${rejection <= 1000 ? "met" : "MISSED"}`,
);
