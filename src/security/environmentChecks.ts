/**
 * Runtime and environment checks (env.*): required variables, debug or
 * non-production runtime in production, every variable parsing, the silence
 * list itself, and TLS certificate checks left on.
 * @module
 */
import { type Environment, isEnvironment, loadConfig } from "../config/index.ts";
import { isCheckId, parseSilenceList } from "./catalog.ts";
import type { CheckInput, FindingList } from "./types.ts";

const FALSY = new Set(["0", "false", "no", "off", "n"]);

/** Runs the env.* checks. `raw` is the unfiltered environment handed to loadConfig. */
export function checkEnvironment(
  input: CheckInput,
  raw: Record<string, string | undefined>,
  out: FindingList,
): void {
  if (input.get("REDIS_URL") === undefined) {
    out.add({
      id: "env.002",
      levels: "E/E/I",
      variable: "REDIS_URL",
      message:
        input.environment === "development"
          ? "is not set: rate limits use the in-memory store of this process"
          : "is required: rate limiting and revocation need a shared Redis",
      hint: "Set REDIS_URL=rediss://host:6379 (redis:// only on loopback or Fly's private network).",
    });
  }

  const debug = input.get("DEBUG");
  if (debug !== undefined && !FALSY.has(debug.trim().toLowerCase())) {
    out.add({
      id: "env.003",
      levels: "E/W/-",
      variable: "DEBUG",
      message: "debug output is enabled outside development",
      hint: "Unset DEBUG (debug output can include request data and internals).",
    });
  }
  // NODE_ENV comes from the environment map handed in, never process.env:
  // the compiled binary freezes process.env.NODE_ENV at build time.
  const nodeEnv = input.get("NODE_ENV");
  if (nodeEnv !== undefined && nodeEnv.trim() !== "production") {
    out.add({
      id: "env.003",
      levels: "E/W/-",
      variable: "NODE_ENV",
      message: "is set to a non-production value; libraries may enable development behaviour",
      hint: "Set NODE_ENV=production or leave it unset.",
    });
  }

  // Read by Bun's TLS for every outgoing connection: providers (with their API keys), rediss://,
  // PostgreSQL's verify-full, the OTLP collector. Node honours "0"; any falsy spelling is flagged.
  const rejectUnauthorized = input.get("NODE_TLS_REJECT_UNAUTHORIZED");
  if (rejectUnauthorized !== undefined && FALSY.has(rejectUnauthorized.trim().toLowerCase())) {
    out.add({
      id: "env.007",
      levels: "E/E/W",
      variable: "NODE_TLS_REJECT_UNAUTHORIZED",
      message:
        "turns off certificate checks for every TLS connection (providers, Redis, PostgreSQL, the collector): anyone on the path can read API keys and passwords",
      hint: "Unset it; for a private CA, point NODE_EXTRA_CA_CERTS at its PEM file.",
    });
  }

  const loaded = loadConfig(raw, input.environment);
  if (!loaded.ok) {
    for (const issue of loaded.issues) {
      out.add({
        id: "env.004",
        levels: "E/E/E",
        variable: issue.variable,
        message: `invalid value: ${issue.message}`,
        hint: "See .env.example for the accepted format.",
      });
    }
  } else if (loaded.config.PROVIDER_ATTEMPT_TIMEOUT >= loaded.config.PROVIDER_TOTAL_TIMEOUT) {
    // The total budget then cuts every hung call first, and the breaker does not count a call
    // its caller gave up on: it never opens, and every request waits the whole budget.
    out.add({
      id: "env.008",
      levels: "W/W/W",
      variable: "PROVIDER_ATTEMPT_TIMEOUT",
      message:
        "is not shorter than PROVIDER_TOTAL_TIMEOUT: a hanging provider never opens its breaker, and every request waits the whole budget",
      hint: "Keep the attempt timeout well under the total (defaults 2s and 5s).",
    });
  }

  const declared = input.get("ENVIRONMENT")?.trim();
  if (declared !== undefined && isEnvironment(declared) && declared !== input.environment) {
    out.add({
      id: "env.005",
      levels: "W/W/W",
      variable: "ENVIRONMENT",
      message: `names ${declared}, but the ${input.environment} rules were checked`,
      hint: mismatchHint(input.environment),
    });
  }

  const silence = input.get("SECURITY_CHECK_SILENCE");
  if (silence !== undefined && parseSilenceList(silence).some((id) => !isCheckId(id))) {
    out.add({
      id: "env.006",
      levels: "W/W/W",
      variable: "SECURITY_CHECK_SILENCE",
      message: "names a check ID that does not exist; that entry silences nothing",
      hint: "Use IDs from the report, e.g. net.001 (see docs/validator.md).",
    });
  }
}

function mismatchHint(environment: Environment): string {
  return `The server would apply ENVIRONMENT's rules; check with --environment matching it, or set ENVIRONMENT=${environment}.`;
}
