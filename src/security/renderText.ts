/**
 * The human report, shaped like Django's `check`: findings grouped by
 * severity as `VARIABLE: (id) message` with an indented `HINT:` line, then
 * notes and a one-line summary.
 * @module
 */
import type { Report } from "./report.ts";
import { SEVERITIES, type Severity } from "./types.ts";

const HEADINGS: Record<Severity, string> = {
  critical: "CRITICALS:",
  error: "ERRORS:",
  warning: "WARNINGS:",
  info: "INFOS:",
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Renders `report` as text (ends with a newline). */
export function renderText(report: Report): string {
  const lines: string[] = [];
  const { summary } = report;
  const total = summary.critical + summary.error + summary.warning + summary.info;
  lines.push(
    `Security check (${report.environment}): ${total === 0 ? "no issues" : "some issues"} found${total === 0 ? "." : ":"}`,
  );
  for (const severity of SEVERITIES) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push("", HEADINGS[severity]);
    for (const f of group) {
      lines.push(`${f.variable ?? "?"}: (${f.id}) ${f.message}`);
      if (f.hint !== null) lines.push(`\tHINT: ${f.hint}`);
    }
  }
  if (report.notes && report.notes.length > 0) {
    lines.push("", "NOTES:", ...report.notes.map((note) => `- ${note}`));
  }
  lines.push(
    "",
    `Identified ${plural(total, "issue")} (${summary.silenced} silenced): ` +
      `${summary.critical} critical, ${plural(summary.error, "error")}, ` +
      `${plural(summary.warning, "warning")}, ${summary.info} info. ` +
      `Result: ${report.ok ? "OK" : "FAILED"}.`,
  );
  return `${lines.join("\n")}\n`;
}
