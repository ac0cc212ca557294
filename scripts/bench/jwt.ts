/**
 * `bun scripts/bench/jwt.ts`: access-token verifications per second of our
 * verifier vs hono/jwt `verify` vs jose `jwtVerify`, on the same tokens (same
 * secret, claims and HS256 signature), one run, ratios printed.
 *
 * Each library is configured to check what it can of the same rules
 * (HS256 pinned, iss, aud). Target (issue 3): ours ≥ 10× hono/jwt.
 */
import { verify as honoVerify } from "hono/jwt";
import { jwtVerify } from "jose";
import { createAccessTokens, createKeyRing } from "../../src/auth/tokens/index.ts";
import { systemClock } from "../../src/clock/index.ts";

const SECRET = "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFG";
const TOKENS = 64;
const DURATION_MS = Number(process.env.BENCH_MS ?? 1500);

const options = {
  ring: createKeyRing(SECRET),
  issuer: "trading-server",
  audience: "trading-server",
  ttlMs: 15 * 60_000,
  clock: systemClock,
};
/** Production setting: a repeat of a verified token skips the HMAC (time still checked). */
const ours = createAccessTokens(options);
/** Cold: cache off, so every verification does the full work (HMAC, JSON, claim checks). */
const oursCold = createAccessTokens({ ...options, cacheSize: 0 });
const tokens = Array.from(
  { length: TOKENS },
  (_, i) => ours.sign({ sub: `user-${i}`, sid: `session-${i}`, role: "trader", ver: i }).token,
);
const joseKey = new TextEncoder().encode(SECRET);
/** Cold with the production cache on: each of these is verified exactly once (all misses). */
const DISTINCT = 50_000;
const distinct = Array.from(
  { length: DISTINCT },
  (_, i) => ours.sign({ sub: `d-${i}`, sid: `ds-${i}`, role: "viewer", ver: i }).token,
);

/** Verifies every distinct token once with a fresh default-cache verifier; returns ops/s. */
function measureDistinct(name: string): number {
  const verifier = createAccessTokens(options);
  const start = performance.now();
  for (const t of distinct) if (!verifier.verify(t).ok) throw new Error("rejected");
  return report(name, DISTINCT / ((performance.now() - start) / 1000));
}

/** Runs `fn` over the tokens for about DURATION_MS after a warm-up; returns ops/s. */
async function measure(name: string, fn: (token: string) => unknown): Promise<number> {
  for (let i = 0; i < 2000; i++) await fn(tokens[i % TOKENS] as string);
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < DURATION_MS) {
    for (let i = 0; i < 256; i++) await fn(tokens[(ops + i) % TOKENS] as string);
    ops += 256;
    now = performance.now();
  }
  return report(name, ops / ((now - start) / 1000));
}

/** Same as {@link measure} for a synchronous verifier: no await, so no microtask per call. */
function measureSync(name: string, fn: (token: string) => void): number {
  for (let i = 0; i < 2000; i++) fn(tokens[i % TOKENS] as string);
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < DURATION_MS) {
    for (let i = 0; i < 256; i++) fn(tokens[(ops + i) % TOKENS] as string);
    ops += 256;
    now = performance.now();
  }
  return report(name, ops / ((now - start) / 1000));
}

function report(name: string, perSecond: number): number {
  console.log(
    `${name.padEnd(24)} ${Math.round(perSecond).toLocaleString("en-US").padStart(12)} verifications/s  ${(1e6 / perSecond).toFixed(2).padStart(7)} µs/op`,
  );
  return perSecond;
}

// Sanity: every verifier accepts the tokens before we time it.
for (const t of tokens.slice(0, 2)) {
  if (!ours.verify(t).ok) throw new Error("ours rejected its own token");
  await honoVerify(t, SECRET, { alg: "HS256", iss: "trading-server", aud: "trading-server" });
  await jwtVerify(t, joseKey, {
    algorithms: ["HS256"],
    issuer: "trading-server",
    audience: "trading-server",
  });
}

console.log(
  `bun ${Bun.version}, ${navigator.hardwareConcurrency} cores, ${TOKENS} tokens, ~${DURATION_MS} ms each`,
);
console.log(
  "cold = a token not seen before: 'cache off' runs with cacheSize 0; 'distinct' verifies each of",
  `${DISTINCT} distinct tokens once with the production cache on (every lookup misses)`,
);
const coldRate = measureSync("ours, cold (cache off)", (t) => {
  if (!oursCold.verify(t).ok) throw new Error("rejected");
});
const distinctRate = measureDistinct("ours, cold (distinct)");
const oursRate = measureSync("ours, repeat (cache)", (t) => {
  if (!ours.verify(t).ok) throw new Error("rejected");
});
const honoRate = await measure("hono/jwt verify", (t) =>
  honoVerify(t, SECRET, { alg: "HS256", iss: "trading-server", aud: "trading-server" }),
);
const joseRate = await measure("jose jwtVerify", (t) =>
  jwtVerify(t, joseKey, {
    algorithms: ["HS256"],
    issuer: "trading-server",
    audience: "trading-server",
  }),
);
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
console.log(
  `cold, cache off:   ours / hono/jwt = ${ratio(coldRate, honoRate)}, ours / jose = ${ratio(coldRate, joseRate)}`,
);
console.log(
  `cold, distinct:    ours / hono/jwt = ${ratio(distinctRate, honoRate)}, ours / jose = ${ratio(distinctRate, joseRate)}`,
);
console.log(
  `repeated token:    ours / hono/jwt = ${ratio(oursRate, honoRate)}, ours / jose = ${ratio(oursRate, joseRate)}`,
);
