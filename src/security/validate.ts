/**
 * The validator: every check group over one environment map. Everything is
 * synchronous string work except the admin hash check, which verifies a few
 * well-known passwords against the configured hash.
 * @module
 */
import type { Environment } from "../config/index.ts";
import { checkAdminConfig, checkAdminHashKnown } from "./adminChecks.ts";
import { checkDatabase } from "./databaseChecks.ts";
import { checkEnvironment } from "./environmentChecks.ts";
import { checkJwt } from "./jwtChecks.ts";
import { checkNetwork } from "./networkChecks.ts";
import { checkProviders } from "./providerChecks.ts";
import { checkRedis } from "./redisChecks.ts";
import { checkSecrets } from "./secretChecks.ts";
import { checkInput, type Finding, FindingList, SEVERITY_RANK } from "./types.ts";

/**
 * Checks `env` against the rules of `environment` and returns every finding,
 * most severe first. Reads nothing but its arguments (NODE_ENV included).
 */
export async function validate(
  env: Record<string, string | undefined>,
  environment: Environment,
): Promise<Finding[]> {
  const input = checkInput(env, environment);
  const out = new FindingList(environment);
  checkEnvironment(input, env, out);
  checkSecrets(input, out);
  checkJwt(input, out);
  const hash = checkAdminConfig(input, out);
  checkProviders(input, out);
  checkDatabase(input, out);
  checkRedis(input, out);
  checkNetwork(input, out);
  if (hash !== undefined) await checkAdminHashKnown(input, hash, out);
  return sortFindings(out.findings);
}

/** Most severe first, then by variable (findings without one last), then by ID. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      (a.variable ?? "\uffff").localeCompare(b.variable ?? "\uffff") ||
      a.id.localeCompare(b.id),
  );
}
