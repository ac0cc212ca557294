/**
 * Structured JSON logs, one object per line, on stderr (stdout is reserved for
 * command output such as `check --format json`).
 *
 * Fields whose names suggest a credential are replaced by `[redacted]` at any
 * depth, so a careless `log.info("x", { body })` cannot leak a password.
 * @module
 */
import { writeStdio } from "./stdio.ts";

/** Log severities, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const SENSITIVE = /pass(word)?|secret|token|authorization|cookie|hash|api[_-]?key|credential/i;

/** Replaces values under credential-like keys, at any depth, without mutating the input. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: value.message };
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SENSITIVE.test(key) ? "[redacted]" : redact(v, depth + 1);
  }
  return out;
}

/** Where log lines go; swappable so tests can capture them. */
export type LogSink = (line: string) => void;

const stderrSink: LogSink = (line) => writeStdio(2, `${line}\n`);

/** A minimal structured logger. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line. */
  child(fields: Record<string, unknown>): Logger;
}

/** Creates a logger writing JSON lines at or above `level`. */
export function createLogger(
  level: LogLevel = "info",
  sink: LogSink = stderrSink,
  base: Record<string, unknown> = {},
): Logger {
  const min = RANK[level];
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < min) return;
    const record = { time: new Date().toISOString(), level: lvl, msg, ...base, ...fields };
    sink(JSON.stringify(redact(record)));
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => createLogger(level, sink, { ...base, ...fields }),
  };
}

/** A logger that drops everything; for tests that do not inspect logs. */
export const silentLogger: Logger = createLogger("error", () => {});
