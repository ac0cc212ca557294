/**
 * The security validator: checks an environment map against the rules of one
 * environment (docs/validator.md) and renders the report that `check` prints
 * and the serve gate enforces.
 * @module
 */
export { CHECKS, type CheckId, isCheckId, parseSilenceList } from "./catalog.ts";
export { shannonEntropy } from "./entropy.ts";
export { isKnownSecret } from "./knownSecrets.ts";
export { renderText } from "./renderText.ts";
export {
  buildReport,
  exitCode,
  type Report,
  type ReportOptions,
  type ReportSummary,
  renderJson,
} from "./report.ts";
export { assessSecret, isStrongSecret, type SecretWeakness } from "./secretStrength.ts";
export { isTrustedHost } from "./trustedHosts.ts";
export { type Finding, isSeverity, SEVERITIES, SEVERITY_RANK, type Severity } from "./types.ts";
export { sortFindings, validate } from "./validate.ts";
