/**
 * Benchmark: our GCRA store vs rate-limiter-flexible's RateLimiterRedis, both
 * against one local redis-server this script starts. Our store runs as in
 * production (Bun's native client, decisions sharing script calls); RLF runs
 * in its recommended setup (ioredis `storeClient`, `rejectIfRedisNotReady`),
 * with the same fail-fast ioredis options our store used before: no offline
 * queue, no retries, 100 ms command timeout, RESP2. Closed loop, 64 checks in
 * flight, A/B interleaved, median of rounds.
 *
 *   bun scripts/bench/ratelimit.ts            (BENCH_SECONDS=2 BENCH_ROUNDS=3 by default)
 *
 * Reports checks/s, p99 per check, Redis commands per check (INFO commandstats,
 * which counts commands run inside scripts), script calls (round trips) per
 * check, and CPU per check in this process and in redis-server.
 */
import Redis from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { LIMITER_TAG } from "../../src/ratelimit/hashTag.ts";
import { createRedisStore, type LimitSpec } from "../../src/ratelimit/index.ts";
import { silentLogger } from "../../src/telemetry/logger.ts";
import { startRedis } from "../../tests/support/redis.ts";
import { median } from "./median.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = 64;
const KEYS = 10_000;
const TIMEOUT_MS = 100;

const redis = await startRedis();
const admin = new Redis(redis.url, { protocol: 2 });
const clientOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  commandTimeout: TIMEOUT_MS,
  protocol: 2 as const,
};
const rlfClient = new Redis(redis.url, clientOptions);
const ours = createRedisStore({
  url: redis.url,
  commandTimeoutMs: TIMEOUT_MS,
  logger: silentLogger,
});
await ours.waitUntilReady(5000);
if (rlfClient.status !== "ready") await new Promise((resolve) => rlfClient.once("ready", resolve));

type Check = (i: number) => Promise<unknown>;

interface Sample {
  checksPerSec: number;
  p99Ms: number;
  cmdsPerCheck: number;
  scriptCallsPerCheck: number;
  clientUsPerCheck: number;
  redisUsPerCheck: number;
}

async function commandStats(): Promise<Record<string, number>> {
  const text = (await admin.info("commandstats")) as string;
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) out[m[1] as string] = Number(m[2]);
  return out;
}

/** CPU seconds redis-server has used (user + system), in µs. */
async function redisCpuUs(): Promise<number> {
  const text = (await admin.info("cpu")) as string;
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(text)?.[1] ?? 0);
  return (field("used_cpu_user") + field("used_cpu_sys")) * 1e6;
}

async function run(check: Check): Promise<Sample> {
  await admin.flushall();
  // Warm-up: loads scripts, fills caches, lets the JIT settle.
  await loop(check, 300);
  await admin.config("RESETSTAT");
  const redisBefore = await redisCpuUs();
  const cpuBefore = process.cpuUsage();
  const { count, latencies } = await loop(check, SECONDS * 1000);
  const cpu = process.cpuUsage(cpuBefore);
  const redisUs = (await redisCpuUs()) - redisBefore;
  const stats = await commandStats();
  delete stats.config;
  delete stats.info;
  const total = Object.values(stats).reduce((a, b) => a + b, 0);
  const scripts = (stats.evalsha ?? 0) + (stats.eval ?? 0);
  latencies.sort();
  return {
    checksPerSec: count / SECONDS,
    p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    cmdsPerCheck: total / count,
    scriptCallsPerCheck: scripts / count,
    clientUsPerCheck: (cpu.user + cpu.system) / count,
    redisUsPerCheck: redisUs / count,
  };
}

async function loop(check: Check, ms: number): Promise<{ count: number; latencies: Float64Array }> {
  const end = performance.now() + ms;
  const samples: number[] = [];
  let i = 0;
  const worker = async () => {
    while (performance.now() < end) {
      const n = i++;
      const start = performance.now();
      await check(n).catch(() => undefined); // RLF rejects when over the limit
      samples.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { count: samples.length, latencies: Float64Array.from(samples) };
}

function summarize(samples: Sample[]): Sample {
  return {
    checksPerSec: median(samples.map((s) => s.checksPerSec)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    cmdsPerCheck: median(samples.map((s) => s.cmdsPerCheck)),
    scriptCallsPerCheck: median(samples.map((s) => s.scriptCallsPerCheck)),
    clientUsPerCheck: median(samples.map((s) => s.clientUsPerCheck)),
    redisUsPerCheck: median(samples.map((s) => s.redisUsPerCheck)),
  };
}

const big = { points: 1_000_000, duration: 60 };
const rlf = (prefix: string, points = big.points, extra: Record<string, unknown> = {}) =>
  new RateLimiterRedis({
    storeClient: rlfClient,
    keyPrefix: prefix,
    points,
    duration: 60,
    rejectIfRedisNotReady: true,
    ...extra,
  });
const limit = (name: string, key: string, n = big.points): LimitSpec => ({
  name,
  key,
  limit: n,
  windowMs: 60_000,
});

const rlfMany = rlf("rlf-many");
const rlfHot = rlf("rlf-hot", 10);
const rlfHotBlock = rlf("rlf-hotb", 10, { inMemoryBlockOnConsumed: 10 });
const rlfIp = rlf("rlf-ip");
const rlfUser = rlf("rlf-user");
const rlfRoute = rlf("rlf-route");

const scenarios: Array<{ name: string; ours: Check; theirs: Record<string, Check> }> = [
  {
    name: "many keys under limit",
    ours: (i) => ours.decide([limit("ip", `${LIMITER_TAG}:ip:${i % KEYS}:all`)]),
    theirs: { rlf: (i) => rlfMany.consume(`ip:${i % KEYS}`) },
  },
  {
    name: "one hot key over limit",
    ours: () => ours.decide([limit("ip", `${LIMITER_TAG}:ip:hot:all`, 10)]),
    theirs: {
      rlf: () => rlfHot.consume("hot"),
      "rlf+inMemoryBlock": () => rlfHotBlock.consume("hot"),
    },
  },
  {
    name: "three limits per request",
    ours: (i) => {
      // The production key layout (policies.ts): one hash tag for every limiter key.
      const k = i % KEYS;
      return ours.decide([
        limit("user", `${LIMITER_TAG}:u:${k}:all`),
        limit("ip", `${LIMITER_TAG}:ip:${k}:all`),
        limit("market", `${LIMITER_TAG}:u:${k}:g:market`),
      ]);
    },
    theirs: {
      rlf: (i) => {
        const k = String(i % KEYS);
        return Promise.all([rlfIp.consume(k), rlfUser.consume(k), rlfRoute.consume(k)]);
      },
    },
  },
];

const fmt = (s: Sample) =>
  `${Math.round(s.checksPerSec).toString().padStart(9)} checks/s  p99 ${s.p99Ms.toFixed(2).padStart(6)} ms  ` +
  `${s.cmdsPerCheck.toFixed(2)} cmds/check  ${s.scriptCallsPerCheck.toFixed(2)} script calls/check  ` +
  `CPU/check ${s.clientUsPerCheck.toFixed(1)} µs here, ${s.redisUsPerCheck.toFixed(1)} µs redis`;

console.log(
  `rate-limit bench: ${SECONDS}s × ${ROUNDS} rounds, ${IN_FLIGHT} in flight, Redis on 127.0.0.1:${redis.port}`,
);
for (const scenario of scenarios) {
  const results: Record<string, Sample[]> = { ours: [] };
  for (const name of Object.keys(scenario.theirs)) results[name] = [];
  for (let round = 0; round < ROUNDS; round++) {
    results.ours?.push(await run(scenario.ours));
    for (const [name, check] of Object.entries(scenario.theirs))
      results[name]?.push(await run(check));
  }
  const oursSummary = summarize(results.ours ?? []);
  console.log(`\n${scenario.name}`);
  console.log(`  ours              ${fmt(oursSummary)}`);
  for (const name of Object.keys(scenario.theirs)) {
    const s = summarize(results[name] ?? []);
    const ratio = oursSummary.checksPerSec / s.checksPerSec;
    console.log(`  ${name.padEnd(17)} ${fmt(s)}  → ours ${ratio.toFixed(2)}×`);
  }
}

await ours.close();
rlfClient.disconnect();
admin.disconnect();
await redis.stop();
