/**
 * The server keeps the promises of its own `/openapi.json`: for every operation
 * the document lists, real requests against the app of `src/http/wiring.ts`
 * (SQLite, injected clocks) drive its success status and its documented
 * failures (400, 401, 403, 404, 409, 413, 429, 503), and each answer
 *
 * 1. has a status the operation declares,
 * 2. has a body that validates (Ajv, JSON Schema 2020-12, `$ref`s resolved in
 *    the document itself) against the schema declared for that status, or no
 *    body when none is declared (204),
 * 3. carries the headers the document marks required and those DESIGN §6 pins
 *    (`X-Request-Id`, `Retry-After`, `WWW-Authenticate`, `RateLimit-Policy`,
 *    `RateLimit`), each declared for that response and valid per its schema.
 *
 * The operations come from the document, so a new route is either driven by
 * the generic cases (`support/openApi/cases/generic.ts`) or makes the coverage
 * test fail. Three instances: `main` (simulated providers, anonymous limit
 * 1/1h so one spent address gives 429 everywhere), `live` (Alpha Vantage
 * adapters against a local fake, for the providers' 404 and 503) and `down`
 * (its database closed: 503 everywhere).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { adminCases, revokeAllCases } from "./support/openApi/cases/admin.ts";
import type { Case } from "./support/openApi/cases/case.ts";
import { genericCases } from "./support/openApi/cases/generic.ts";
import { maintenanceCases } from "./support/openApi/cases/maintenance.ts";
import { marketDataCases } from "./support/openApi/cases/marketData.ts";
import { outageCases } from "./support/openApi/cases/outage.ts";
import { providerCases } from "./support/openApi/cases/providers.ts";
import { serviceAndAuthCases } from "./support/openApi/cases/serviceAndAuth.ts";
import { readDocument, startConformanceApps } from "./support/openApi/conformanceApps.ts";
import { type Operation, operationsOf } from "./support/openApi/openApiDocument.ts";
import { mustDrive } from "./support/openApi/requiredStatuses.ts";
import { conformanceCheck } from "./support/openApi/responseConformance.ts";

const apps = await startConformanceApps();
afterAll(() => apps.close());

const doc = await readDocument(apps);
const operations = operationsOf(doc);
const byKey = new Map(operations.map((o) => [o.key, o]));
const conformance = conformanceCheck(doc);

// Cases: one request each, checked against the document, registered in this order.
const specific = [...serviceAndAuthCases(apps), ...adminCases(apps), ...marketDataCases(apps)];
const generic = genericCases(apps, operations);
const maintenance = maintenanceCases(apps, operations);
const providers = providerCases(apps);
const outage = outageCases(apps, operations);
const revoke = revokeAllCases(apps); // last on `main`: it ends every session
const cases: Case[] = [...specific, ...generic, ...maintenance, ...providers, ...outage, ...revoke];

/** A test per case: its status, its conformance to the document, its error code. */
function register(list: Case[]): void {
  for (const c of list) {
    const name = `${c.op} → ${c.status} (${c.what})`;
    const run = async () => {
      const o = byKey.get(c.op);
      if (!o) throw new Error(`${c.op} is not in /openapi.json`);
      const res = await c.send();
      const text = await res.text();
      expect([res.status, c.status === res.status ? "" : text]).toEqual([c.status, ""]);
      expect(conformance(o, res, text)).toEqual([]);
      if (c.code !== undefined) {
        expect((JSON.parse(text) as { error: { code: string } }).error.code).toBe(c.code);
      }
    };
    test(name, run);
  }
}

describe("OpenAPI conformance", () => {
  test("every tag an operation uses is declared, and every operation states its security", () => {
    const declared = new Set(
      ((doc as { tags?: Array<{ name: string }> }).tags ?? []).map((t) => t.name),
    );
    for (const o of operations) {
      const tags = (o.op as { tags?: string[] }).tags ?? [];
      expect([o.key, tags.length > 0 && tags.every((t) => declared.has(t))]).toEqual([o.key, true]);
      expect([o.key, Array.isArray(o.op.security)]).toEqual([o.key, true]);
    }
    const open = operations.filter((o) => o.op.security?.length === 0).map((o) => o.key);
    expect(open.sort()).toEqual([
      "GET /healthz",
      "GET /openapi.json",
      "GET /readyz",
      "POST /v1/auth/login",
      "POST /v1/auth/refresh",
    ]);
  });

  test("every documented operation is driven to each status it must answer", () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const driven = new Set(cases.map((c) => `${c.op} ${c.status}`));
    const missing = operations.flatMap((o) =>
      mustDrive(o)
        .filter((s) => !driven.has(`${o.key} ${s}`))
        .map((s) => `${o.key} ${s}`),
    );
    expect(missing).toEqual([]);
    // A case for an operation the document does not have is a renamed or removed route.
    expect(cases.map((c) => c.op).filter((op) => !byKey.has(op))).toEqual([]);
  });

  // Header objects default to `required: false`: a client generated from the document would
  // treat the headers every such answer carries (DESIGN §6) as optional.
  test("the document marks X-Request-Id and a 429's Retry-After required", () => {
    expect(doc.components?.headers?.RequestId?.required).toBe(true);
    expect(doc.components?.headers?.RetryAfter?.required).toBe(true);
  });

  test("default bar and news ranges end at the server's clock, not the host's", async () => {
    const bars = await apps.get("/v1/market/bars/AAPL?timeframe=1Day&limit=2", apps.tokens.viewer);
    expect(((await bars.json()) as { bars: unknown[] }).bars).toHaveLength(2);
    const news = await apps.get("/v1/news?limit=1", apps.tokens.viewer);
    expect(((await news.json()) as { news: unknown[] }).news).toHaveLength(1);
  });

  describe("success and route-specific failures", () => register(specific));
  describe("generic: 401, 403, 413, 429 and unknown query parameters", () => register(generic));
  describe("maintenance on", () => {
    test("PUT /v1/admin/maintenance → 200 (on)", async () => {
      const res = await apps.json("PUT", "/v1/admin/maintenance", {
        enabled: true,
        reason: "conformance run",
      });
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(conformance(byKey.get("PUT /v1/admin/maintenance") as Operation, res, text)).toEqual(
        [],
      );
    });
    register(maintenance);
    afterAll(async () => {
      await apps.json("PUT", "/v1/admin/maintenance", { enabled: false });
    });
  });
  describe("provider adapters", () => register(providers));
  describe("database down", () => register(outage));
  describe("revoke-all", () => register(revoke));
});
