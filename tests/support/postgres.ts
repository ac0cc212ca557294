/**
 * A throwaway PostgreSQL cluster for tests: started lazily once per test
 * process (initdb into a temp dir, `pg_ctl start` on a free loopback port,
 * fsync off), one fresh database per suite, everything stopped and deleted at
 * process exit.
 *
 * initdb refuses to run as root and CI runs as root, so when uid is 0 the temp
 * dir is handed to the `postgres` user and the binaries run through
 * `runuser -u postgres --`. Clients always connect over TCP 127.0.0.1.
 *
 * Missing binaries fail loudly unless `SKIP_POSTGRES=1` (see
 * {@link postgresSkipped}); a silent skip would turn the PostgreSQL half of
 * every storage suite into a test that cannot fail.
 * @module
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";

/** True when the environment asked to skip PostgreSQL suites (`SKIP_POSTGRES=1`). */
export const postgresSkipped = process.env.SKIP_POSTGRES === "1";

interface Cluster {
  port: number;
  dir: string;
  admin: SQL;
}

let starting: Promise<Cluster> | undefined;
let running: Cluster | undefined;
let counter = 0;

/** Finds `name` on PATH or under /usr/lib/postgresql/<version>/bin (newest first). */
function findBinary(name: string): string | undefined {
  const onPath = Bun.which(name);
  if (onPath) return onPath;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const candidate = join(root, v, "bin", name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary, as the `postgres` user when we are root. */
function run(argv: string[], what: string): void {
  const cmd = asRoot ? ["runuser", "-u", "postgres", "--", ...argv] : argv;
  const result = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) {
    throw new Error(
      `${what} failed (exit ${result.exitCode}): ${result.stderr.toString()}${result.stdout.toString()}`,
    );
  }
}

function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

function stopCluster(): void {
  const cluster = running;
  running = undefined;
  if (!cluster) return;
  const pgCtl = findBinary("pg_ctl");
  if (pgCtl) {
    const cmd = [pgCtl, "stop", "-D", join(cluster.dir, "data"), "-m", "immediate", "-w"];
    Bun.spawnSync(asRoot ? ["runuser", "-u", "postgres", "--", ...cmd] : cmd, {
      stdout: "ignore",
      stderr: "ignore",
    });
  }
  rmSync(cluster.dir, { recursive: true, force: true });
}

/**
 * `bun test` does not emit the process `exit` event, so a detached watchdog
 * (its own session: a Ctrl-C to the test's process group does not kill it)
 * stops the cluster and deletes its directory once this process is gone —
 * also after a crash or SIGKILL.
 */
function startReaper(pgCtl: string, dir: string): void {
  const stop = `${pgCtl} stop -D '${dir}/data' -m immediate -w`;
  const body = [
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 0.5; done`,
    asRoot ? `runuser -u postgres -- ${stop}` : stop,
    `rm -rf '${dir}'`,
  ].join("; ");
  // Backgrounded so the direct child exits at once: bun test kills "dangling"
  // children of a test that times out, which would otherwise take the reaper along.
  const script = `(${body}) >/dev/null 2>&1 &`;
  const reaper = Bun.spawn(["setsid", "sh", "-c", script], {
    stdin: "ignore",
    stdout: "ignore",
    stderr: "ignore",
  });
  reaper.unref();
}

async function startCluster(): Promise<Cluster> {
  const initdb = findBinary("initdb");
  const pgCtl = findBinary("pg_ctl");
  if (!initdb || !pgCtl) {
    throw new Error(
      "PostgreSQL binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin. " +
        "Install PostgreSQL (apt-get install postgresql) or set SKIP_POSTGRES=1 to skip those suites.",
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "ts-pg-"));
  if (asRoot) {
    const chown = Bun.spawnSync(["chown", "postgres", dir], { stderr: "pipe" });
    if (chown.exitCode !== 0) throw new Error(`chown postgres failed: ${chown.stderr.toString()}`);
  }
  const data = join(dir, "data");
  process.on("exit", stopCluster);
  startReaper(pgCtl, dir);
  run(
    [initdb, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-locale"],
    "initdb",
  );
  // Retry on a port race: another process may grab the port between probe and bind.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = freePort();
    const options = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses=127.0.0.1",
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=200",
    ].join(" ");
    try {
      run(
        [pgCtl, "start", "-D", data, "-l", join(dir, "log"), "-w", "-t", "30", "-o", options],
        "pg_ctl start",
      );
    } catch (error) {
      const log = existsSync(join(dir, "log")) ? readFileSync(join(dir, "log"), "utf8") : "";
      if (attempt < 4 && /already in use|could not bind/i.test(log)) continue;
      throw error;
    }
    const admin = new SQL(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 2 });
    running = { port, dir, admin };
    return running;
  }
  throw new Error("could not start PostgreSQL on a free port");
}

/** The shared cluster, started on first use. */
function cluster(): Promise<Cluster> {
  starting ??= startCluster();
  return starting;
}

/**
 * Creates a fresh, empty database in the shared cluster and returns its URL
 * (`postgres://postgres@127.0.0.1:<port>/<name>`). Throws when PostgreSQL is
 * unavailable, even if `SKIP_POSTGRES=1` (callers decide whether to skip).
 * With `template` (the URL of another test database that has no open
 * connections), the new database is a copy of it: much faster than migrating.
 */
export async function createTestDatabase(options: { template?: string } = {}): Promise<string> {
  const c = await cluster();
  counter += 1;
  const name = `t_${process.pid}_${counter}_${crypto.randomUUID().slice(0, 8)}`;
  const template = options.template
    ? ` TEMPLATE "${new URL(options.template).pathname.slice(1)}"`
    : "";
  await c.admin.unsafe(`CREATE DATABASE "${name}"${template}`);
  return `postgres://postgres@127.0.0.1:${c.port}/${name}`;
}

/** Drops a database made by {@link createTestDatabase}, disconnecting leftover clients. */
export async function dropTestDatabase(url: string): Promise<void> {
  const c = running;
  if (!c) return;
  const name = new URL(url).pathname.slice(1);
  await c.admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
