import { describe, expect, test } from "bun:test";
import {
  buildReport,
  exitCode,
  type Finding,
  renderJson,
  renderText,
} from "../../src/security/index.ts";

const f = (id: string, severity: Finding["severity"], variable: string | null = "X"): Finding => ({
  id,
  severity,
  variable,
  message: `message of ${id}`,
  hint: severity === "info" ? null : `hint of ${id}`,
});

const FINDINGS = [
  f("secret.002", "critical", "SECURITY_SECRET_KEY"),
  f("redis.001", "error", "REDIS_PASSWORD"),
  f("admin.004", "warning", "ADMIN_USERNAME"),
  f("db.005", "info", null),
];

describe("buildReport", () => {
  test("counts visible findings and applies the fail level", () => {
    const report = buildReport(FINDINGS, {
      environment: "staging",
      failLevel: "error",
      silence: [],
    });
    expect(report.summary).toEqual({ critical: 1, error: 1, warning: 1, info: 1, silenced: 0 });
    expect(report.ok).toBe(false);
    expect(exitCode(report)).toBe(1);
    expect(report.notes).toBeUndefined();
  });

  test.each([
    ["critical", ["secret.002"], true],
    ["error", ["secret.002", "redis.001"], true],
    ["warning", ["secret.002", "redis.001"], false],
    ["info", ["secret.002", "redis.001", "admin.004"], false],
  ] as const)("fail level %s with %p silenced → ok=%p", (failLevel, silence, ok) => {
    const report = buildReport(FINDINGS, { environment: "staging", failLevel, silence });
    expect(report.ok).toBe(ok);
    expect(exitCode(report)).toBe(ok ? 0 : 1);
    expect(report.summary.silenced).toBe(silence.length);
    expect(report.findings.map((x) => x.id)).not.toContain(silence[0]);
  });

  test("silenced findings are counted only in `silenced`", () => {
    const report = buildReport(FINDINGS, {
      environment: "staging",
      failLevel: "info",
      silence: ["db.005", "admin.004"],
    });
    expect(report.summary).toEqual({ critical: 1, error: 1, warning: 0, info: 0, silenced: 2 });
  });

  test("a critical finding cannot be silenced in production: visible, counted, noted", () => {
    const report = buildReport(FINDINGS, {
      environment: "production",
      failLevel: "error",
      silence: ["secret.002", "redis.001"],
    });
    expect(report.findings.map((x) => x.id)).toEqual(["secret.002", "admin.004", "db.005"]);
    expect(report.summary).toEqual({ critical: 1, error: 0, warning: 1, info: 1, silenced: 1 });
    expect(report.ok).toBe(false);
    expect(report.notes).toEqual([expect.stringContaining("secret.002")]);
  });

  test("the same silence works for a critical outside production", () => {
    const report = buildReport([FINDINGS[0] as Finding], {
      environment: "staging",
      failLevel: "error",
      silence: ["secret.002"],
    });
    expect(report.ok).toBe(true);
    expect(report.summary.silenced).toBe(1);
  });

  test("JSON is the pinned shape", () => {
    const report = buildReport(FINDINGS.slice(1), {
      environment: "production",
      failLevel: "error",
      silence: [],
    });
    const doc = JSON.parse(renderJson(report));
    expect(Object.keys(doc)).toEqual(["environment", "ok", "summary", "findings"]);
    expect(Object.keys(doc.findings[0])).toEqual(["id", "severity", "variable", "message", "hint"]);
    expect(doc.findings[2]).toEqual({
      id: "db.005",
      severity: "info",
      variable: null,
      message: "message of db.005",
      hint: null,
    });
  });
});

describe("renderText", () => {
  test("groups by severity like Django, with hints and a summary line", () => {
    const text = renderText(
      buildReport(FINDINGS, { environment: "production", failLevel: "error", silence: ["db.005"] }),
    );
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("Security check (production): some issues found:");
    expect(text.indexOf("CRITICALS:")).toBeLessThan(text.indexOf("ERRORS:"));
    expect(text.indexOf("ERRORS:")).toBeLessThan(text.indexOf("WARNINGS:"));
    expect(text).not.toContain("INFOS:");
    expect(lines).toContain("SECURITY_SECRET_KEY: (secret.002) message of secret.002");
    expect(lines).toContain("\tHINT: hint of secret.002");
    expect(lines.at(-1)).toBe(
      "Identified 3 issues (1 silenced): 1 critical, 1 error, 1 warning, 0 info. Result: FAILED.",
    );
  });
  test("a finding without a variable prints `?`; notes are printed", () => {
    const text = renderText(
      buildReport(FINDINGS, {
        environment: "production",
        failLevel: "critical",
        silence: ["secret.002"],
      }),
    );
    expect(text).toContain("?: (db.005) message of db.005");
    expect(text).toContain("NOTES:\n- secret.002 is critical in production and cannot be silenced");
  });
  test("no findings", () => {
    const text = renderText(
      buildReport([], { environment: "development", failLevel: "error", silence: [] }),
    );
    expect(text).toBe(
      "Security check (development): no issues found.\n\nIdentified 0 issues (0 silenced): 0 critical, 0 errors, 0 warnings, 0 info. Result: OK.\n",
    );
  });
});
