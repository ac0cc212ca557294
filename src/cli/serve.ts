/**
 * `serve`: the security gate, then the server. The gate runs the same
 * validator as `check` and refuses to start — exit 1, before binding the port —
 * on anything at or above error. Development starts with warnings and, without
 * `SECURITY_SECRET_KEY`, an ephemeral signing key (tokens die with the process).
 *
 * Order: gate → configuration → database schema gate → bind → load and build
 * the rest. Refusals that depend on the environment or the schema come before
 * the port is bound. The routes and providers (most of start-up's CPU) load
 * after it, in slices, behind {@link deferApp}: `/healthz` answers at once,
 * other requests wait for the app. A failure after binding still exits 1.
 * @module
 */
import { argon2Addon, isArgon2UnavailableError } from "../auth/argon2Addon.ts";
import { ensureDevAdmin } from "../auth/devAdmin.ts";
import { hashKind } from "../auth/passwords.ts";
import { nextTurn, systemClock } from "../clock/index.ts";
import {
  type Config,
  isUnknownEnvironmentError,
  loadConfig,
  resolveEnvironment,
} from "../config/index.ts";
import { clientIpFromConfig } from "../http/clientAddress.ts";
import { deferApp } from "../http/deferredApp.ts";
import { loadWiring } from "../http/loadWiring.ts";
import { listen } from "../http/server.ts";
import type { BuiltServer } from "../http/wiring.ts";
import { RateLimitStoreConfigError } from "../ratelimit/factory.ts";
import { isVerifiable, parsePasswordHash, VERIFY_CAPS } from "../security/passwordHash.ts";
import { prepareSchema } from "../storage/schemaGate.ts";
import { createLogger } from "../telemetry/logger.ts";
import { startTelemetry, tracerRegistered } from "../telemetry/sdk.ts";
import { VERSION } from "../version.ts";
import { runGate } from "./check.ts";
import { safeErrorMessage, unreachedDatabase } from "./databaseCommand.ts";
import { type CommandIo, EXIT } from "./io.ts";
import { splitFlag } from "./splitFlag.ts";

/**
 * How long a request that arrives while the app is still being built may wait
 * for it. Building waits up to 2 s for Redis; this leaves a wide margin.
 */
const START_WAIT_MS = 10_000;
/**
 * How long a signal during start-up waits for the build to settle: one that finishes closes
 * like any run (its `sys_shutdown` written, connections released), instead of the process
 * exiting with a `sys_startup` that may land in the log with no end. A build still hung after
 * this is abandoned, as before.
 */
const SIGNAL_BUILD_GRACE_MS = 2_000;

/** Parses `[--environment ENV]`; anything else is a usage error. */
function parseServeArgs(args: string[]): { environment?: string } | { error: string } {
  let environment: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] = splitFlag(arg);
    if (flag !== "--environment") return { error: `unknown option ${JSON.stringify(arg)}` };
    environment = inline ?? args[++i];
    if (environment === undefined) return { error: "--environment needs a value" };
  }
  return environment === undefined ? {} : { environment };
}

/**
 * DESIGN's hard rules, enforced after the gate because findings can be
 * silenced and these must not be, and before the bind (DESIGN §4): the signing
 * key, Redis and `ADMIN_PASSWORD_HASH` are required outside development, a
 * hash must be one the server can verify, and a plain `ADMIN_PASSWORD` is
 * forbidden in production.
 */
function contractRefusal(config: Config): string | undefined {
  const deployed = config.environment !== "development";
  if (deployed && !config.SECURITY_SECRET_KEY) {
    return `SECURITY_SECRET_KEY is required in ${config.environment} (an ephemeral key is for development only)`;
  }
  // The store factory and the admin bootstrap refuse these too, but only once the port is bound.
  if (deployed && !config.REDIS_URL) return new RateLimitStoreConfigError().message;
  // Before the missing hash: the operator who set ADMIN_PASSWORD learns both at once.
  if (config.environment === "production" && config.ADMIN_PASSWORD !== undefined) {
    return "ADMIN_PASSWORD is forbidden in production: set ADMIN_PASSWORD_HASH and unset it";
  }
  if (deployed && !config.ADMIN_PASSWORD_HASH) {
    return `ADMIN_PASSWORD_HASH is required in ${config.environment} (make one with \`trading-server hash-password\`)`;
  }
  if (
    config.ADMIN_PASSWORD_HASH !== undefined &&
    hashKind(config.ADMIN_PASSWORD_HASH) === "unknown"
  ) {
    return "ADMIN_PASSWORD_HASH is not an argon2id or bcrypt hash";
  }
  const parsed = config.ADMIN_PASSWORD_HASH && parsePasswordHash(config.ADMIN_PASSWORD_HASH);
  if (parsed && !isVerifiable(parsed)) {
    return `ADMIN_PASSWORD_HASH costs more than the server verifies (argon2 m ≤ ${VERIFY_CAPS.argon2MemoryKiB} KiB and t ≤ ${VERIFY_CAPS.argon2Time}, bcrypt cost ≤ ${VERIFY_CAPS.bcryptCost}): no login could use it`;
  }
  // admin.009 silenced: an argon2 admin hash no login could verify. The gate loaded the addon
  // already to try it (admin.003), so this costs nothing more.
  if (parsed && parsed.kind === "argon2") {
    try {
      argon2Addon();
    } catch (err) {
      if (isArgon2UnavailableError(err)) return err.message;
      throw err;
    }
  }
  return undefined;
}

/** Runs the server until SIGTERM/SIGINT; resolves to the exit code. */
export async function runServe(
  args: string[],
  env: Record<string, string | undefined>,
  io: CommandIo,
): Promise<number> {
  const parsed = parseServeArgs(args);
  if ("error" in parsed) {
    io.stderr(`serve: ${parsed.error}\nusage: trading-server [serve] [--environment ENV]\n`);
    return EXIT.usage;
  }
  let environment: ReturnType<typeof resolveEnvironment>;
  try {
    environment = resolveEnvironment(parsed.environment, env);
  } catch (err) {
    if (!isUnknownEnvironmentError(err)) throw err;
    io.stderr(`serve: ${err.message}\n`);
    return EXIT.usage;
  }

  const bootStarted = performance.now();
  const gate = await runGate(env, environment);
  const gateMs = performance.now() - bootStarted;
  if (gate.text) io.stderr(gate.text);
  if (!gate.ok) {
    io.stderr("serve: refusing to start (fix the findings above, or run `trading-server check`)\n");
    return EXIT.failure;
  }
  const loaded = loadConfig(env, environment);
  if (!loaded.ok) {
    for (const issue of loaded.issues) io.stderr(`serve: ${issue.variable}: ${issue.message}\n`);
    return EXIT.failure;
  }
  const config = loaded.config;
  const refusal = contractRefusal(config);
  if (refusal) {
    io.stderr(`serve: ${refusal}\n`);
    return EXIT.failure;
  }
  const logger = createLogger(config.LOG_LEVEL);
  if (!config.SECURITY_SECRET_KEY) {
    // Development only (contractRefusal): tokens die with the process.
    config.SECURITY_SECRET_KEY = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString(
      "base64url",
    );
    logger.warn(
      "SECURITY_SECRET_KEY is not set: using an ephemeral key; tokens end with this process",
    );
  }

  if (environment === "development" && !config.ADMIN_PASSWORD_HASH && !config.ADMIN_PASSWORD) {
    const admin = ensureDevAdmin();
    config.ADMIN_PASSWORD = admin.password;
    // The file's path, not its content; a key the logger's redaction leaves alone
    // ("credentials_file" matched its credential pattern, and the path printed as [redacted]).
    logger.warn("development admin account", {
      username: config.ADMIN_USERNAME,
      login_details_in: admin.passwordFile,
    });
  }

  const telemetry = await startTelemetry(env, logger, VERSION);
  const failed = async (err: unknown, close: () => Promise<void>, where?: string) => {
    // Driver errors may quote the connection string: strip its password.
    const name = err instanceof Error ? err.name : "Error";
    logger.error("start-up failed", {
      error: { name, message: safeErrorMessage(err, config.DATABASE_URL) },
      ...(where ? { database: where } : {}),
    });
    await close();
    await telemetry.shutdown();
    return EXIT.failure;
  };
  let db: Awaited<ReturnType<typeof prepareSchema>>;
  try {
    db = await prepareSchema(config, logger, systemClock);
  } catch (err) {
    return failed(err, async () => {}, unreachedDatabase(err, config.DATABASE_URL));
  }

  const deferred = deferApp({
    environment,
    logger,
    clientIp: clientIpFromConfig(config),
    maxWaitMs: START_WAIT_MS,
    tracing: tracerRegistered(),
  });
  let running: ReturnType<typeof listen>;
  try {
    running = listen(deferred.fetch, {
      hostname: config.HOST,
      port: config.PORT,
      // Far above any route's limit: the app rejects oversize bodies itself, from
      // Content-Length before reading, with the pinned JSON 413. Bun's own cap only
      // guards against absurd sizes (and answers without our error body).
      maxRequestBodySize: 64 * 1024 * 1024,
      logger,
    });
  } catch (err) {
    // Port in use, an address this host does not have: one log line, not a stack. A host name
    // that does not resolve surfaces from Bun as "ENOENT … listen", which reads like a file.
    const code = String((err as { code?: unknown }).code ?? "");
    const unresolved = code === "ENOENT" || code === "ENOTFOUND" || code.startsWith("EAI_");
    const named = unresolved
      ? new Error(`HOST ${JSON.stringify(config.HOST)} does not resolve to an address to listen on`)
      : err;
    return failed(named, () => db.close());
  }
  const boundMs = performance.now();
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    // One drain per process: after the first signal both handlers go, so a second
    // signal of either kind takes its default action (stop now), as docs/deploy.md says.
    const stop = (name: NodeJS.Signals) => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      resolve(name);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });

  const building = (async () => {
    await nextTurn();
    const { buildServer } = await loadWiring();
    const built = await buildServer(config, logger, VERSION, db);
    // The start-up event is written before the first request is served: a database that
    // refuses it (a held lock, a full disk) fails the start with one line and exit 1,
    // instead of crashing a server that already answered requests.
    try {
      await built.started();
    } catch (err) {
      for (const close of built.onClosed) await close().catch(() => undefined);
      throw err;
    }
    return built;
  })();
  let first: { built: BuiltServer } | { signal: NodeJS.Signals };
  try {
    // A signal during the build stops the start (a hung dependency must not need SIGKILL).
    first = await Promise.race([
      building.then((b) => ({ built: b })),
      signal.then((s) => ({ signal: s })),
    ]);
  } catch (err) {
    deferred.failed();
    // buildServer owns `db` and has closed it.
    return failed(err, () => running.shutdown(0, []));
  }
  if ("signal" in first) {
    logger.info("stopped during start-up", { signal: first.signal });
    deferred.failed();
    let grace: Timer | undefined;
    const settled = await Promise.race([
      building.then(
        (b) => b,
        () => undefined, // a failed build has released what it built
      ),
      new Promise<undefined>((resolve) => {
        grace = setTimeout(resolve, SIGNAL_BUILD_GRACE_MS);
      }),
    ]);
    clearTimeout(grace);
    await running.shutdown(0, settled?.onClosed ?? []);
    await telemetry.shutdown();
    return EXIT.ok;
  }
  const built = first.built;
  deferred.ready((req, e) => built.app.fetch(req, e));
  logger.info("listening", {
    // performance.now() counts from process start: module loading included.
    startup_ms: Math.round(boundMs),
    ready_ms: Math.round(performance.now()),
    gate_ms: Math.round(gateMs),
    url: running.url.href,
    environment,
    version: VERSION,
  });

  logger.info("shutting down", {
    signal: await signal,
    deadline_ms: config.SHUTDOWN_TIMEOUT,
  });
  await running.shutdown(config.SHUTDOWN_TIMEOUT, [...built.onClosed, () => telemetry.shutdown()]);
  logger.info("stopped");
  return EXIT.ok;
}
