/**
 * `bun scripts/bench/jwt.ts`: access-token verifications per second of our
 * verifier vs hono/jwt `verify` vs jose `jwtVerify`, on the same tokens (same
 * secret, claims and HS256 signature), one run, ratios printed.
 *
 * Each library is configured to check what it can of the same rules
 * (HS256 pinned, iss, aud). Target (issue 3): ours ≥ 10× hono/jwt.
 *
 * The box is shared and noisy, so the libraries are measured in interleaved
 * rounds (the order rotates) and each ratio is the median of the per-round
 * ratios: a burst of load hits one round, not one library.
 *
 *   BENCH_ROUNDS=7 BENCH_MS=300 bun scripts/bench/jwt.ts
 */
import { verify as honoVerify } from "hono/jwt";
import { jwtVerify } from "jose";
import { createAccessTokens, createKeyRing } from "../../src/auth/tokens/index.ts";
import { systemClock } from "../../src/clock/index.ts";
import { median } from "./median.ts";

const SECRET = "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFG";
const TOKENS = 64;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const DURATION_MS = Number(process.env.BENCH_MS ?? 300);
/** Distinct tokens per library per round: each is verified exactly once. */
const DISTINCT = 4_000;

const options = {
  ring: createKeyRing(SECRET),
  issuer: "trading-server",
  audience: "trading-server",
  ttlMs: 15 * 60_000,
  clock: systemClock,
};
const honoOptions = { alg: "HS256", iss: "trading-server", aud: "trading-server" } as const;
const joseKey = new TextEncoder().encode(SECRET);
const joseOptions = { algorithms: ["HS256"], issuer: "trading-server", audience: "trading-server" };

/** Production setting: a repeat of a verified token skips the HMAC (time still checked). */
const ours = createAccessTokens(options);
/** Cold: cache off, so every verification does the full work (HMAC, JSON, claim checks). */
const oursCold = createAccessTokens({ ...options, cacheSize: 0 });
let minted = 0;
/**
 * Tokens as the server mints and receives them: user and session ids are UUIDs (as in the
 * database), and each token is a flat string, not the rope a template literal builds.
 */
const mint = (n: number) =>
  Array.from({ length: n }, () => {
    const { token } = ours.sign({
      sub: crypto.randomUUID(),
      sid: crypto.randomUUID(),
      role: "trader",
      ver: minted++,
    });
    return Buffer.from(token).toString();
  });
const tokens = mint(TOKENS);

type Verify = (token: string) => unknown;
const verifiers: Record<string, Verify> = {
  ours: (t) => {
    if (!oursCold.verify(t).ok) throw new Error("rejected");
  },
  "hono/jwt": (t) => honoVerify(t, SECRET, honoOptions),
  jose: (t) => jwtVerify(t, joseKey, joseOptions),
};

/** Runs `fn` over the 64 tokens for about DURATION_MS; returns ops/s. Awaits only promises. */
async function repeated(fn: Verify): Promise<number> {
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < DURATION_MS) {
    for (let i = 0; i < 256; i++) {
      const r = fn(tokens[(ops + i) % TOKENS] as string);
      if (r instanceof Promise) await r;
    }
    ops += 256;
    now = performance.now();
  }
  return ops / ((now - start) / 1000);
}

/** Verifies each of `list` once; for ours, with a fresh verifier and the production cache on. */
async function distinct(name: string, list: string[]): Promise<number> {
  const fresh = createAccessTokens(options);
  const fn: Verify =
    name === "ours"
      ? (t) => {
          if (!fresh.verify(t).ok) throw new Error("rejected");
        }
      : (verifiers[name] as Verify);
  const start = performance.now();
  for (const t of list) {
    const r = fn(t);
    if (r instanceof Promise) await r;
  }
  return list.length / ((performance.now() - start) / 1000);
}

const names = Object.keys(verifiers);
const rates: Record<string, { repeated: number[]; distinct: number[] }> = {};
for (const n of names) rates[n] = { repeated: [], distinct: [] };

// Sanity and warm-up: every verifier accepts the tokens before we time it.
for (const n of names) await repeated(verifiers[n] as Verify);
await distinct("ours", mint(DISTINCT));

for (let round = 0; round < ROUNDS; round++) {
  const order = names.map((_, k) => names[(k + round) % names.length] as string);
  const fresh = mint(DISTINCT); // the same distinct tokens for every library in this round
  for (const n of order) {
    rates[n]?.repeated.push(await repeated(verifiers[n] as Verify));
    rates[n]?.distinct.push(await distinct(n, fresh));
  }
}
const cachedRate = await repeated((t) => {
  if (!ours.verify(t).ok) throw new Error("rejected");
});

const fmt = (perSecond: number) =>
  `${Math.round(perSecond).toLocaleString("en-US").padStart(11)}/s ${(1e6 / perSecond).toFixed(2).padStart(7)} µs`;
const ratioOf = (a: string, b: string, kind: "repeated" | "distinct") => {
  const ra = rates[a]?.[kind] ?? [];
  const rb = rates[b]?.[kind] ?? [];
  const per = ra.map((x, k) => x / (rb[k] as number));
  return `${median(per).toFixed(1)}× (rounds ${Math.min(...per).toFixed(1)}–${Math.max(...per).toFixed(1)})`;
};

console.log(
  `bun ${Bun.version}, ${navigator.hardwareConcurrency} cores, ${ROUNDS} interleaved rounds: ${TOKENS} tokens for ~${DURATION_MS} ms, then ${DISTINCT} distinct tokens once each`,
);
console.log("ours is the production verifier; 'cold' means its verified-token cache cannot help");
console.log(
  `${"".padEnd(12)} ${"cold, 64 tokens (cache off)".padEnd(30)} cold, distinct tokens (cache on, all misses)`,
);
for (const n of names) {
  console.log(
    `${n.padEnd(12)} ${fmt(median(rates[n]?.repeated ?? [])).padEnd(30)} ${fmt(median(rates[n]?.distinct ?? []))}`,
  );
}
console.log(
  `${"ours, cached".padEnd(12)} ${fmt(cachedRate)}   (a token seen before: time checks only)`,
);
console.log("median of per-round ratios:");
console.log(
  `  ours / hono/jwt   cold ${ratioOf("ours", "hono/jwt", "repeated")}   distinct ${ratioOf("ours", "hono/jwt", "distinct")}`,
);
console.log(
  `  ours / jose       cold ${ratioOf("ours", "jose", "repeated")}   distinct ${ratioOf("ours", "jose", "distinct")}`,
);
console.log(
  `  cached ours / hono/jwt ${(cachedRate / median(rates["hono/jwt"]?.repeated ?? [])).toFixed(0)}×`,
);
