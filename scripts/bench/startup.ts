/**
 * `bun run bench:startup`: time from exec to the first 200 on /healthz, for
 * the compiled binary and for `bun src/main.ts`, several alternating runs,
 * medians and their ratio. Loopback only; every run is bounded.
 *
 * Target (issue 2): the binary under 60 ms on a 2-core machine.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { median } from "./median.ts";

const ROOT = resolve(import.meta.dir, "../..");
const RUNS = Number(process.env.RUNS ?? 15);
const BINARY = join(ROOT, "dist/trading-server");

if (!(await Bun.file(BINARY).exists())) {
  console.log("building dist/trading-server …");
  const build = Bun.spawnSync(["bun", "scripts/build.ts"], { cwd: ROOT });
  if (build.exitCode !== 0) throw new Error(build.stderr.toString());
}

// One working directory for all runs: the first start creates the SQLite
// file and applies migrations; the warm-up run absorbs that.
const cwd = mkdtempSync(join(tmpdir(), "bench-startup-"));

function freePort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = s.port as number;
  s.stop(true);
  return port;
}

async function timeToHealthy(cmd: string[]): Promise<number> {
  const port = freePort();
  const started = performance.now();
  const proc = Bun.spawn(cmd, {
    cwd,
    env: {
      PATH: process.env.PATH ?? "",
      ENVIRONMENT: "development",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "error",
    },
    stdout: "ignore",
    stderr: "ignore",
  });
  try {
    const deadline = started + 10_000;
    while (performance.now() < deadline) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.status === 200) return performance.now() - started;
      } catch {
        // not yet listening
      }
      await Bun.sleep(1);
    }
    throw new Error(`${cmd.join(" ")} did not become healthy within 10 s`);
  } finally {
    proc.kill("SIGKILL");
    await proc.exited;
  }
}

const targets = {
  binary: [BINARY, "serve"],
  source: ["bun", join(ROOT, "src/main.ts"), "serve"],
};
const samples: Record<keyof typeof targets, number[]> = { binary: [], source: [] };
await timeToHealthy(targets.binary); // warm-up: database creation, page cache
await timeToHealthy(targets.source);
for (let i = 0; i < RUNS; i++) {
  for (const name of Object.keys(targets) as Array<keyof typeof targets>) {
    samples[name].push(await timeToHealthy(targets[name]));
  }
}
const binary = median(samples.binary);
const source = median(samples.source);
console.log(`startup: exec → first 200 on /healthz, median of ${RUNS} runs`);
console.log(
  `  dist/trading-server   ${binary.toFixed(1)} ms  (min ${Math.min(...samples.binary).toFixed(1)})`,
);
console.log(
  `  bun src/main.ts       ${source.toFixed(1)} ms  (min ${Math.min(...samples.source).toFixed(1)})`,
);
console.log(`  ratio binary/source   ${(binary / source).toFixed(2)}×`);
console.log(`  target binary < 60 ms: ${binary < 60 ? "met" : "NOT met"}`);
