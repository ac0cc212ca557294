/**
 * A real redis-server for tests: found on PATH, bound to 127.0.0.1 on a free
 * port, no persistence, stopped on teardown. Supports the faults the
 * rate-limit tests inject: SIGKILL, SIGSTOP/SIGCONT, restart on the same port.
 */
import type { Subprocess } from "bun";

/** A running test Redis. */
export interface TestRedis {
  readonly port: number;
  readonly url: string;
  /** Runs a command through redis-cli and returns its trimmed output. */
  cli(...args: string[]): Promise<string>;
  /** SIGKILL: the process dies with connections open. */
  kill(): Promise<void>;
  /** SIGSTOP: sockets stay open, nothing is answered. */
  pause(): void;
  /** SIGCONT after {@link pause}. */
  resume(): void;
  /** Starts a fresh, empty server on the same port (after {@link kill} or {@link stop}). */
  restart(): Promise<void>;
  /** Stops the server (SIGTERM, then waits). Idempotent. */
  stop(): Promise<void>;
}

/** Finds a free TCP port on 127.0.0.1. */
export function freePort(): number {
  const probe = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: { data() {} },
  });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/** True once `PING` on `port` answers `+PONG`. */
async function pingOnce(port: number): Promise<boolean> {
  return await new Promise<boolean>((resolve) => {
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), 200);
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(s) {
          s.write("PING\r\n");
        },
        data(s, data) {
          finish(data.toString().startsWith("+PONG"));
          s.end();
        },
        error: () => finish(false),
        connectError: () => finish(false),
        close: () => finish(false),
      },
    }).catch(() => finish(false));
  });
}

/** Waits (bounded) until the server on `port` answers PING; fails fast if it exited. */
async function waitForPing(port: number, proc: Subprocess, attempts = 300): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await pingOnce(port)) return;
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`redis-server on port ${port} exited at start (port taken?)`);
    }
    await Bun.sleep(10);
  }
  throw new Error(`redis-server on port ${port} did not answer PING`);
}

/** Starts redis-server; `extraArgs` are appended to its command line. */
export async function startRedis(
  options: { port?: number; extraArgs?: string[] } = {},
): Promise<TestRedis> {
  const binary = Bun.which("redis-server");
  if (!binary) throw new Error("redis-server is not on PATH");
  const port = options.port ?? freePort();
  let proc: Subprocess | undefined;

  const spawn = async () => {
    const child = Bun.spawn(
      [
        binary,
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--protected-mode",
        "yes",
        ...(options.extraArgs ?? []),
      ],
      { stdout: "ignore", stderr: "ignore" },
    );
    proc = child;
    await waitForPing(port, child);
  };
  await spawn();

  const signal = (sig: NodeJS.Signals) => {
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill(sig);
  };

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async cli(...args) {
      const out = Bun.spawn(["redis-cli", "-h", "127.0.0.1", "-p", String(port), ...args], {
        stdout: "pipe",
        stderr: "pipe",
      });
      const text = await new Response(out.stdout).text();
      await out.exited;
      return text.trim();
    },
    async kill() {
      signal("SIGKILL");
      await proc?.exited;
    },
    pause: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
    async restart() {
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        throw new Error("restart() needs the server stopped first");
      }
      await spawn();
    },
    async stop() {
      signal("SIGCONT");
      signal("SIGTERM");
      await proc?.exited;
    },
  };
}
