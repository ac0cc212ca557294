/**
 * The report: silencing, the fail level, counts and the exit code. Its JSON
 * form is the pinned document `{environment, ok, summary, findings}` (plus
 * `notes` only when something needs saying, e.g. an unsilenceable critical).
 * @module
 */
import type { Environment } from "../config/index.ts";
import { type Finding, SEVERITY_RANK, type Severity } from "./types.ts";

/** Counts of visible findings per severity, and of silenced ones. */
export interface ReportSummary {
  critical: number;
  error: number;
  warning: number;
  info: number;
  silenced: number;
}

/** A finished report, ready to render. */
export interface Report {
  environment: Environment;
  /** True exactly when no visible finding is at or above the fail level (exit code 0). */
  ok: boolean;
  summary: ReportSummary;
  /** Visible findings only, most severe first. */
  findings: Finding[];
  /** Things the reader must know about the report itself; absent when there are none. */
  notes?: string[];
}

/** How to turn findings into a report. */
export interface ReportOptions {
  environment: Environment;
  /** Lowest severity that fails the check (default error). */
  failLevel: Severity;
  /** Check IDs to hide. Criticals in production stay visible regardless. */
  silence: Iterable<string>;
}

/** Applies silencing and the fail level to `findings`. */
export function buildReport(findings: readonly Finding[], options: ReportOptions): Report {
  const silence = new Set(options.silence);
  const visible: Finding[] = [];
  const refused = new Set<string>();
  let silenced = 0;
  for (const finding of findings) {
    if (!silence.has(finding.id)) {
      visible.push(finding);
    } else if (finding.severity === "critical" && options.environment === "production") {
      // Pinned: a critical finding in production cannot be silenced.
      refused.add(finding.id);
      visible.push(finding);
    } else {
      silenced++;
    }
  }
  const count = (severity: Severity) => visible.filter((f) => f.severity === severity).length;
  const threshold = SEVERITY_RANK[options.failLevel];
  const report: Report = {
    environment: options.environment,
    ok: !visible.some((f) => SEVERITY_RANK[f.severity] >= threshold),
    summary: {
      critical: count("critical"),
      error: count("error"),
      warning: count("warning"),
      info: count("info"),
      silenced,
    },
    findings: visible,
  };
  if (refused.size > 0) {
    report.notes = [...refused]
      .sort()
      .map((id) => `${id} is critical in production and cannot be silenced; it still counts.`);
  }
  return report;
}

/** The exit code of a report: 0 when ok, 1 when a finding is at or above the fail level. */
export function exitCode(report: Report): 0 | 1 {
  return report.ok ? 0 : 1;
}

/** The report as one JSON document and a newline. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report)}\n`;
}
