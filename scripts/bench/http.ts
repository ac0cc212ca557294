/**
 * `bun run bench:http`: the full route `GET /v1/market/quotes/AAPL` with a
 * valid token, Redis rate limiting and tracing exported to a local receiver,
 * against (a) a bare `Bun.serve` "ok" and (b) the same route assembled from
 * off-the-shelf parts (hono/jwt, rate-limiter-flexible, @hono/otel) — one run,
 * one machine, loopback only, every phase bounded.
 *
 * Servers are pinned to CPU 0 and wrk, Redis and the receiver to CPU 1 when
 * `taskset` exists. Targets (issue 6): ours ≥ 0.35× bare, ≥ 2.5× off-the-shelf.
 * The targets run in interleaved rounds and the ratios are medians of the
 * per-round ratios (`ROUNDS`, default 3; `DURATION` seconds each, default 4).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { hash } from "@node-rs/argon2";
import type { Subprocess } from "bun";
import { median } from "./median.ts";

const ROOT = resolve(import.meta.dir, "../..");
const DURATION_S = Number(process.env.DURATION ?? 4);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const children: Subprocess[] = [];
const taskset = Bun.which("taskset");
const pinned = (cpu: number, cmd: string[]) =>
  taskset ? [taskset, "-c", String(cpu), ...cmd] : cmd;

function freePort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = s.port as number;
  s.stop(true);
  return port;
}

function spawn(cmd: string[], env: Record<string, string>, cwd = ROOT): Subprocess {
  const proc = Bun.spawn(cmd, {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdout: "ignore",
    stderr: "pipe",
  });
  children.push(proc);
  return proc;
}

async function waitFor(url: string, okStatus = 200): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).status === okStatus) return;
    } catch {
      // not up yet
    }
    await Bun.sleep(20);
  }
  throw new Error(`${url} did not answer ${okStatus} within 15 s`);
}

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

const toMs = (value: string, unit: string) =>
  Number(value) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? Number.NaN);

async function wrk(url: string, token?: string, seconds = DURATION_S): Promise<WrkResult> {
  const args = ["wrk", "-t1", `-c${CONNECTIONS}`, `-d${seconds}s`, "--latency"];
  if (token) args.push("-H", `Authorization: Bearer ${token}`);
  const proc = Bun.spawn(pinned(1, [...args, url]), { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  const latency = (pct: string) => {
    const m = new RegExp(`^\\s*${pct}%\\s+([\\d.]+)(us|ms|s)`, "m").exec(out);
    return m ? toMs(m[1] as string, m[2] as string) : Number.NaN;
  };
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN),
    p50: latency("50"),
    p99: latency("99"),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
  };
}

async function main() {
  if (!Bun.which("wrk")) throw new Error("wrk is not installed (apt-get install wrk)");
  const binary = join(ROOT, "dist/trading-server");
  if (!(await Bun.file(binary).exists())) {
    const build = Bun.spawnSync(["bun", "scripts/build.ts"], { cwd: ROOT });
    if (build.exitCode !== 0) throw new Error(build.stderr.toString());
  }

  // Redis (with a password, as production requires) and an OTLP/JSON sink on CPU 1.
  const redisPort = freePort();
  const redisPassword = randomBytes(24).toString("base64url");
  spawn(
    pinned(1, [
      "redis-server",
      "--port",
      String(redisPort),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--requirepass",
      redisPassword,
    ]),
    {},
  );
  let spans = 0;
  const receiver = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = (await req.json()) as {
        resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }>;
      };
      for (const rs of body.resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? []) spans += ss.spans?.length ?? 0;
      return Response.json({});
    },
  });
  const otel = {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.port}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
  };
  await Bun.sleep(200);

  const secret = randomBytes(48).toString("base64url");
  const adminPassword = randomBytes(18).toString("base64url");
  const dir = mkdtempSync(join(tmpdir(), "bench-http-"));
  const oursEnv = {
    ENVIRONMENT: "production",
    SECURITY_SECRET_KEY: secret,
    ADMIN_USERNAME: "bench-operator",
    ADMIN_PASSWORD_HASH: await hash(adminPassword, {
      algorithm: 2,
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
    }),
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    REDIS_PASSWORD: redisPassword,
    DATABASE_URL: `sqlite://${join(dir, "bench.db")}`,
    HOST: "127.0.0.1",
    LOG_LEVEL: "error",
    RATE_LIMIT_USER: "100000000/1m",
    RATE_LIMIT_ANONYMOUS: "100000000/1m",
    ...otel,
  };
  const migrated = Bun.spawnSync([binary, "migrate"], {
    env: { PATH: process.env.PATH ?? "", ...oursEnv },
  });
  if (migrated.exitCode !== 0) throw new Error(`migrate failed: ${migrated.stderr.toString()}`);

  const ports = { bare: freePort(), ours: freePort(), offTheShelf: freePort() };
  spawn(pinned(0, ["bun", "scripts/bench/http/bare.ts"]), { PORT: String(ports.bare) });
  spawn(pinned(0, [binary, "serve"]), { ...oursEnv, PORT: String(ports.ours) }, dir);
  spawn(pinned(0, ["bun", "scripts/bench/http/offTheShelf.ts"]), {
    PORT: String(ports.offTheShelf),
    SECURITY_SECRET_KEY: secret,
    REDIS_URL: `redis://:${redisPassword}@127.0.0.1:${redisPort}`,
    ...otel,
  });
  await waitFor(`http://127.0.0.1:${ports.bare}/`);
  await waitFor(`http://127.0.0.1:${ports.ours}/readyz`);
  await waitFor(`http://127.0.0.1:${ports.offTheShelf}/v1/market/quotes/AAPL`, 401);

  const login = await fetch(`http://127.0.0.1:${ports.ours}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "bench-operator", password: adminPassword }),
  });
  const token = ((await login.json()) as { access_token: string }).access_token;
  const path = "/v1/market/quotes/AAPL";
  for (const port of [ports.ours, ports.offTheShelf]) {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status !== 200) throw new Error(`port ${port}: ${res.status} ${await res.text()}`);
  }

  const targets = [
    ["bare Bun.serve", `http://127.0.0.1:${ports.bare}/`, undefined],
    ["trading-server", `http://127.0.0.1:${ports.ours}${path}`, token],
    ["off-the-shelf", `http://127.0.0.1:${ports.offTheShelf}${path}`, token],
  ] as const;
  for (const [, url, auth] of targets) await wrk(url, auth, 2); // warm-up: JIT, pools, caches
  // Interleaved rounds, the order rotating: a burst of load from other jobs on this shared
  // box hits one round, not one target. Ratios are medians of the per-round ratios.
  const rounds: Array<Record<string, WrkResult>> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const results: Record<string, WrkResult> = {};
    for (let k = 0; k < targets.length; k++) {
      const [name, url, auth] = targets[(k + round) % targets.length] as (typeof targets)[number];
      results[name] = await wrk(url, auth);
    }
    rounds.push(results);
  }
  await Bun.sleep(1500); // let the batch span processors flush

  const of = (name: string, field: keyof WrkResult) =>
    rounds.map((r) => (r[name] as WrkResult)[field]);
  console.log(
    `bench:http — ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${DURATION_S}s per target, wrk -t1${taskset ? ", servers on CPU 0, load on CPU 1" : ""}`,
  );
  console.log("target            req/s (median)  p50 ms   p99 ms   non-2xx (all rounds)");
  for (const [name] of targets) {
    console.log(
      `${name.padEnd(16)} ${median(of(name, "rps")).toFixed(0).padStart(14)} ${median(of(name, "p50")).toFixed(2).padStart(8)} ${median(of(name, "p99")).toFixed(2).padStart(8)} ${String(of(name, "non2xx").reduce((a, b) => a + b, 0)).padStart(9)}`,
    );
  }
  const ratio = (a: string, b: string) => {
    const per = rounds.map((r) => (r[a] as WrkResult).rps / (r[b] as WrkResult).rps);
    return `${median(per).toFixed(2)}× (rounds ${Math.min(...per).toFixed(2)}–${Math.max(...per).toFixed(2)})`;
  };
  console.log(
    `ratio ours/bare          ${ratio("trading-server", "bare Bun.serve")}  (target ≥ 0.35×)`,
  );
  console.log(
    `ratio ours/off-the-shelf ${ratio("trading-server", "off-the-shelf")}  (target ≥ 2.5×)`,
  );
  console.log(`spans received by the local OTLP receiver: ${spans}`);
  receiver.stop(true);
}

try {
  await main();
} finally {
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(children.map((c) => c.exited));
}
