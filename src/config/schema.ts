/**
 * The one zod schema for every environment variable the server reads. Values
 * are parsed once at start; nothing else reads `process.env`.
 *
 * Empty and whitespace-only values count as unset (t3-env's
 * `emptyStringAsUndefined`): `SECURITY_SECRET_KEY=` must not pass as a secret.
 * {@link withoutBlanks} does that to the whole environment before a parse.
 * Messages never include the offending value.
 *
 * Built at every start, so it is built lean: zod instances are shared where a
 * field has no parameters of its own, and each field is as few instances as
 * its rules need (every instance carries dozens of bound methods in zod 4).
 * @module
 */
import { z } from "zod";
import { parseDuration } from "./duration.ts";

/** `env` with empty and whitespace-only values removed (they count as unset). */
export function withoutBlanks(
  env: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== "") out[name] = value;
  }
  return out;
}

const optionalString = z.string().optional();

/** A duration such as `15m`, with bounds in milliseconds. */
const duration = (fallback: string, min: number, max: number) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: "custom", message: "must be a duration like 30s, 15m or 12h" });
        return z.NEVER;
      }
      if (ms < min || ms > max) {
        ctx.addIssue({ code: "custom", message: "is outside the allowed range" });
        return z.NEVER;
      }
      return ms;
    });

/**
 * Decimal digits only (spaces around them are forgiven): `Number()` would also
 * read `0x1FA3` as 8099 and `1e3` as 1000, typos an operator should hear about.
 */
const DIGITS = /^\s*[0-9]{1,15}\s*$/;

const integer = (fallback: number, min: number, max: number) =>
  z
    .string()
    .regex(DIGITS, { message: "must be a whole number in decimal digits" })
    .transform(Number)
    .pipe(
      z
        .number()
        .check(
          z.gte(min, { message: `must be at least ${min}` }),
          z.lte(max, { message: `must be at most ${max}` }),
        ),
    )
    .default(fallback);

/** A rate written `q/w`, e.g. `60/1m`: q requests per window w. */
export interface RateSpec {
  limit: number;
  windowMs: number;
}

/**
 * Longest rate window: 30 days. A limiter's state is a time in microseconds
 * that must stay exact in a double; windows of centuries broke it (every
 * request after the first refused as a store failure), and no HTTP limit
 * needs more than a month.
 */
export const MAX_RATE_WINDOW_MS = 30 * 86_400_000;

/**
 * Parses `q/w` (`60/1m`, a window of whole seconds, 1 s–30 days); returns undefined when
 * malformed. Whole seconds because `RateLimit-Policy` states the window in seconds: `w=1`
 * for a 1 ms window told clients a quota a thousand times too long.
 */
export function parseRate(text: string): RateSpec | undefined {
  const match = /^\s*(\d{1,9})\s*\/\s*(\S+)\s*$/.exec(text);
  if (!match) return undefined;
  const limit = Number(match[1]);
  const windowMs = parseDuration(match[2] as string);
  if (!windowMs || windowMs % 1_000 !== 0 || windowMs > MAX_RATE_WINDOW_MS || limit < 1) {
    return undefined;
  }
  return { limit, windowMs };
}

const rate = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const spec = parseRate(text);
      if (!spec) {
        ctx.addIssue({
          code: "custom",
          message: "must be a rate like 60/1m, with a window of whole seconds, at most 30d",
        });
        return z.NEVER;
      }
      return spec;
    });

/**
 * The route groups a `RATE_LIMIT_ROUTES` entry can name: the first path
 * segment after `/v1/` of the routes the server has (ratelimit/policies.ts).
 */
export const ROUTE_GROUPS: readonly string[] = ["admin", "altdata", "auth", "market", "news"];

/** `group=q/w,group=q/w` per-route-group overrides. */
const rateOverrides = z
  .string()
  .default("")
  .transform((text, ctx) => {
    const out: Record<string, RateSpec> = Object.create(null);
    const fail = (message: string) => {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    };
    for (const part of text.split(",").filter((p) => p.trim() !== "")) {
      // Split at the first `=` only: `market=300/1m=10/1s` is a malformed rate, not 300/1m.
      const eq = part.indexOf("=");
      const parsed = eq === -1 ? undefined : parseRate(part.slice(eq + 1));
      const group = (eq === -1 ? part : part.slice(0, eq)).trim();
      if (!/^[a-z][a-z0-9_-]{0,31}$/.test(group) || !parsed) {
        return fail("must be a list like market=300/1m,admin=60/1m");
      }
      // A typo (`markets`) or a second entry for a group would silently limit nothing.
      if (!ROUTE_GROUPS.includes(group)) {
        return fail(`names an unknown route group; the groups are ${ROUTE_GROUPS.join(", ")}`);
      }
      if (group in out) return fail("names a route group twice");
      out[group] = parsed;
    }
    return out;
  });

const provider = z.enum(["simulated", "alpaca", "finnhub", "alphavantage"]).default("simulated");
/** Alpaca serves no sentiment data: refused here, at `check` and before the port is bound. */
const altDataProvider = z.enum(["simulated", "finnhub", "alphavantage"]).default("simulated");

const url = z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).optional();

// zod 4 decides at construction whether an object schema is compiled with
// `new Function` on its first parse: ~10 ms for this large schema at every
// start, for a parse that runs once or twice (the interpreter takes ~2 ms).
// Only this schema is built interpreted; request schemas keep the JIT.
const jitless = z.config().jitless;
z.config({ jitless: true });

/** The environment schema. Keys are the pinned variable names. */
export const envSchema = z.object({
  // --- secrets and admin -------------------------------------------------
  SECURITY_SECRET_KEY: optionalString,
  SECURITY_SECRET_KEY_PREVIOUS: optionalString,
  /** Comma-separated check IDs the validator hides (criticals stay visible in production). */
  SECURITY_CHECK_SILENCE: optionalString,
  ADMIN_USERNAME: z.string().max(256).default("admin"),
  ADMIN_PASSWORD_HASH: optionalString,
  ADMIN_PASSWORD: optionalString,

  // --- tokens and sessions -------------------------------------------------
  JWT_ISSUER: z.string().max(256).default("trading-server"),
  JWT_AUDIENCE: z.string().max(256).default("trading-server"),
  ACCESS_TOKEN_TTL: duration("15m", 10_000, 86_400_000),
  REFRESH_REUSE_GRACE: duration("10s", 0, 300_000),
  SESSION_IDLE_TTL: duration("12h", 60_000, 30 * 86_400_000),
  SESSION_ABSOLUTE_TTL: duration("24h", 60_000, 90 * 86_400_000),

  // --- login hardening -----------------------------------------------------
  LOGIN_MAX_FAILURES_PER_ACCOUNT: integer(5, 1, 1000),
  LOGIN_MAX_FAILURES_PER_IP: integer(20, 1, 100_000),
  LOGIN_FAILURE_WINDOW: duration("15m", 1_000, 86_400_000),
  LOGIN_MAX_CONCURRENT_HASHES: integer(4, 1, 256),
  LOGIN_HASH_QUEUE: integer(64, 0, 10_000),

  // --- storage ---------------------------------------------------------------
  DATABASE_URL: z.string().default("sqlite://./data/trading.db"),

  // --- redis and rate limits -----------------------------------------------------
  REDIS_URL: optionalString,
  REDIS_PASSWORD: optionalString,
  REDIS_COMMAND_TIMEOUT: duration("100ms", 5, 10_000),
  RATE_LIMIT_ANONYMOUS: rate("60/1m"),
  RATE_LIMIT_USER: rate("600/1m"),
  RATE_LIMIT_ROUTES: rateOverrides,

  // --- network -------------------------------------------------------------------
  // Trimmed as the check reads it: " 127.0.0.1" passed the check and failed to resolve at bind.
  HOST: z
    .string()
    .transform((text) => text.trim())
    .optional(),
  PORT: integer(8080, 0, 65_535),
  TRUST_PROXY: z
    .string()
    .regex(/^(fly|xff:[1-9]\d?)$/, { message: "must be unset, fly, or xff:N with N in 1..99" })
    .optional(),
  FLY_APP_NAME: optionalString,
  BODY_LIMIT: integer(64 * 1024, 1024, 10 * 1024 * 1024),
  SHUTDOWN_TIMEOUT: duration("10s", 0, 300_000),

  // --- data providers ---------------------------------------------------------
  MARKET_DATA_PROVIDER: provider,
  NEWS_PROVIDER: provider,
  ALTDATA_PROVIDER: altDataProvider,
  SIM_SEED: integer(42, 0, 2 ** 31 - 1),
  ALPACA_API_KEY_ID: optionalString,
  ALPACA_API_SECRET_KEY: optionalString,
  ALPACA_DATA_URL: url,
  ALPACA_API_URL: url,
  FINNHUB_API_KEY: optionalString,
  FINNHUB_BASE_URL: url,
  ALPHA_VANTAGE_API_KEY: optionalString,
  ALPHA_VANTAGE_BASE_URL: url,
  PROVIDER_ATTEMPT_TIMEOUT: duration("2s", 50, 60_000),
  PROVIDER_TOTAL_TIMEOUT: duration("5s", 100, 120_000),
  PROVIDER_CACHE_TTL: duration("5m", 0, 86_400_000),

  // --- logging -----------------------------------------------------------------------
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

z.config({ jitless });

/** The parsed environment, before environment-dependent defaults are applied. */
export type ParsedEnv = z.infer<typeof envSchema>;
