/**
 * Runs the binary as a child process: one-shot commands with captured output,
 * and servers on a free loopback port that tests stop by signal.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { compiledBinary } from "./binary.ts";

/** A clean environment: nothing inherited but PATH and TMPDIR. */
export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  return { ...env, ...extra };
}

/** Output of a finished command. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the binary with `args` to completion (bounded by `timeoutMs`). */
export async function runBinary(
  args: string[],
  env: Record<string, string>,
  options: { stdin?: string | Uint8Array; timeoutMs?: number; cwd?: string } = {},
): Promise<RunResult> {
  const proc = Bun.spawn([await compiledBinary(), ...args], {
    env,
    cwd: options.cwd,
    stdin:
      options.stdin === undefined
        ? "ignore"
        : typeof options.stdin === "string"
          ? new TextEncoder().encode(options.stdin)
          : options.stdin,
    stdout: "pipe",
    stderr: "pipe",
    timeout: options.timeoutMs ?? 15_000,
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort(): number {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = probe.port as number;
  probe.stop(true);
  return port;
}

/** A server process under test. */
export interface ServerProcess {
  url: string;
  /** The server's working directory (fresh per server). */
  cwd: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Everything the server wrote to stderr so far (logs). */
  logs(): string;
  /** Sends SIGTERM and waits for the exit code. */
  stop(): Promise<number>;
}

/** Starts `serve` on a free port and waits until `/healthz` answers (or the process exits). */
export async function startServer(
  env: Record<string, string>,
  args: string[] = [],
  // Default: a fresh working directory (the development database lives under ./data).
  cwd: string = mkdtempSync(join(tmpdir(), "ts-e2e-")),
): Promise<ServerProcess> {
  const port = freePort();
  const proc = Bun.spawn([await compiledBinary(), "serve", ...args], {
    cwd,
    env: { HOST: "127.0.0.1", PORT: String(port), ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let stderr = "";
  const decoder = new TextDecoder();
  void (async () => {
    for await (const chunk of proc.stderr) stderr += decoder.decode(chunk);
  })();
  void new Response(proc.stdout).text();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  let healthy = false;
  while (!healthy) {
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`server did not become healthy: ${stderr}`);
    }
    if (proc.exitCode !== null) throw new Error(`server exited ${proc.exitCode}: ${stderr}`);
    try {
      const res = await fetch(`${url}/healthz`);
      healthy = res.ok;
    } catch {
      // not listening yet
    }
    if (!healthy) await Bun.sleep(25);
  }
  return {
    url,
    cwd,
    proc,
    logs: () => stderr,
    stop: async () => {
      proc.kill("SIGTERM");
      return proc.exited;
    },
  };
}
