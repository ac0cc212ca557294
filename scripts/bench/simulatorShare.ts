/**
 * What a flood of cold simulated bar requests does to everything else on the
 * event loop, with the simulator's compute share (computeShare.ts) and
 * without it. Run: `bun run bench:simulator`.
 *
 * Each round starts 30 cold year-long 1Hour requests at once (distinct
 * symbols, a fresh simulator and seed: nothing memoised) while a 5 ms
 * interval timer stands in for the rest of the API; its lag is how late a
 * quote or a health check would be answered. Rounds alternate paced and
 * unpaced (the admission bulkhead, eight at a time, applies to both); medians
 * and ratios at the end. In-process, bounded, no network.
 */
import { ManualClock } from "../../src/clock/index.ts";
import { SimulatedProvider } from "../../src/providers/index.ts";
import type { ComputeShare } from "../../src/providers/simulator/computeShare.ts";
import { median } from "./median.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const REQUESTS = 30;
const DAY = 86_400_000;
const NOW = Date.parse("2026-11-27T21:00:00Z");
const never = new AbortController().signal;
const unpaced: ComputeShare = { run: async (slice) => slice() };

interface Round {
  wallMs: number;
  lagP50: number;
  lagP99: number;
  lagMax: number;
}

async function round(share: ComputeShare | undefined, seed: number): Promise<Round> {
  const sim = new SimulatedProvider({
    seed,
    clock: new ManualClock(NOW),
    ...(share && { computeShare: share }),
  });
  const lags: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const t = performance.now();
    lags.push(Math.max(0, t - last - 5));
    last = t;
  }, 5);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: REQUESTS }, (_, i) =>
      sim.bars(
        `B${seed % 1000}X${i}`,
        { timeframe: "1Hour", start: NOW - 300 * DAY, end: NOW, limit: 10_000 },
        never,
      ),
    ),
  );
  const wallMs = performance.now() - started;
  clearInterval(timer);
  lags.sort((a, b) => a - b);
  const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(lags.length * q))] ?? 0;
  return { wallMs, lagP50: at(0.5), lagP99: at(0.99), lagMax: lags.at(-1) ?? 0 };
}

const results: Record<"paced" | "unpaced", Round[]> = { paced: [], unpaced: [] };
for (let r = 0; r < ROUNDS; r++) {
  results.unpaced.push(await round(unpaced, 1_000 + 2 * r));
  results.paced.push(await round(undefined, 1_001 + 2 * r));
}

const med = (name: "paced" | "unpaced", key: keyof Round) =>
  median(results[name].map((x) => x[key]));
console.log(
  `bench:simulator — ${REQUESTS} cold year-long 1Hour requests at once, ${ROUNDS} rounds each`,
);
console.log("variant     wall ms  lag p50 ms  lag p99 ms  lag max ms");
for (const name of ["unpaced", "paced"] as const) {
  console.log(
    `${name.padEnd(10)} ${med(name, "wallMs").toFixed(0).padStart(8)} ${med(name, "lagP50").toFixed(1).padStart(11)} ${med(name, "lagP99").toFixed(1).padStart(11)} ${med(name, "lagMax").toFixed(1).padStart(11)}`,
  );
}
const ratio = (key: keyof Round) =>
  (med("unpaced", key) / Math.max(0.1, med("paced", key))).toFixed(1);
console.log(
  `unpaced/paced: lag p50 ${ratio("lagP50")}×, lag max ${ratio("lagMax")}×; wall time paced/unpaced ${(med("paced", "wallMs") / med("unpaced", "wallMs")).toFixed(2)}×`,
);
