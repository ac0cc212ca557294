/**
 * Refused requests (429) in the access log: a few a second are logged, the
 * rest counted into one summary line before the next logged refusal
 * (src/http/refusalLogSampler.ts).
 */
import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import { createApp } from "../../src/http/app.ts";
import {
  createRefusalLogSampler,
  REFUSAL_LINES_PER_SECOND,
} from "../../src/http/refusalLogSampler.ts";
import { createLogger } from "../../src/telemetry/logger.ts";
import { buildAuthHarness } from "../auth/support/authApp.ts";
import { describeEachDatabase } from "../support/databases.ts";
import { build, hangups } from "./support/testApp.ts";

describe("refusal log sampler", () => {
  test("the first N of a second are logged; the next logged one brings the summary of the rest", () => {
    const clock = new ManualClock(1_750_000_000_500);
    const sampler = createRefusalLogSampler(clock, 3);
    const logged = (ip: string) => sampler.admit(ip).log;
    expect(["a", "a", "a", "a", "b", "a"].map(logged)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    clock.advance(499); // still the same second
    expect(logged("c")).toBe(false);
    clock.advance(1);
    expect(sampler.admit("d")).toEqual({
      log: true,
      summary: {
        count: 4,
        top_clients: [
          { client_ip: "a", count: 2 },
          { client_ip: "b", count: 1 },
          { client_ip: "c", count: 1 },
        ],
      },
    });
    expect(sampler.admit("d")).toEqual({ log: true });
  });

  test("a clock stepped back starts a new second instead of keeping the budget spent", () => {
    const clock = new ManualClock(1_750_000_000_000);
    const sampler = createRefusalLogSampler(clock, 1);
    expect([sampler.admit("a").log, sampler.admit("a").log]).toEqual([true, false]);
    clock.set(1_749_999_000_000);
    expect(sampler.admit("a")).toMatchObject({ log: true, summary: { count: 1 } });
  });

  test("a summary names at most five addresses; rotating one-off addresses cannot hide the flooder", () => {
    const clock = new ManualClock(1_750_000_000_000);
    const sampler = createRefusalLogSampler(clock, 1);
    sampler.admit("first");
    // A thousand one-off addresses fill the count first; then the real flooder starts.
    for (let i = 0; i < 1_500; i++) {
      sampler.admit(`2001:db8:${i.toString(16)}::`);
      if (i >= 1_000 && i % 5 === 0) sampler.admit("203.0.113.66");
    }
    clock.advance(1_000);
    const verdict = sampler.admit("next");
    const summary = verdict.log ? verdict.summary : undefined;
    expect(summary?.count).toBe(1_600);
    expect(summary?.top_clients).toHaveLength(5);
    expect(summary?.top_clients[0]?.client_ip).toBe("203.0.113.66");
    expect(summary?.top_clients[0]?.count).toBe(100);
  });
});

test("refusals whose clients left (logged as 499) are capped like the others", async () => {
  const lines: string[] = [];
  const app = build({ lines });
  for (let i = 0; i < 50; i++) {
    const id = `left-${i}`;
    const controller = new AbortController();
    hangups.set(id, controller);
    await app.request(
      new Request("http://localhost/v1/hangup-refused", {
        headers: { "x-request-id": id },
        signal: controller.signal,
      }),
    );
    hangups.delete(id);
  }
  const logged = lines
    .map((l) => JSON.parse(l) as { msg: string; status?: number; unsent_status?: number })
    .filter((r) => r.msg === "request");
  expect(logged.length).toBeGreaterThan(0);
  expect(logged.every((r) => r.status === 499 && r.unsent_status === 429)).toBe(true);
  expect(logged.length).toBeLessThanOrEqual(REFUSAL_LINES_PER_SECOND * 2);
});

describeEachDatabase("refusals in the access log", (t) => {
  test("a flood of refusals through the real limiter: a few lines a second, then a summary of the rest", async () => {
    const lines: string[] = [];
    const clock = new ManualClock(1_750_000_000_000);
    const h = await buildAuthHarness(t.db(), {
      clock,
      lines,
      env: { RATE_LIMIT_ANONYMOUS: "5/1m" },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 105; i++) statuses.push((await h.send("/v1/auth/me")).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(100);
    type Line = { msg: string; status?: number; count?: number; top_clients?: unknown };
    const records = () => lines.map((l) => JSON.parse(l) as Line);
    const refusals = () => records().filter((r) => r.msg === "request" && r.status === 429);
    expect(refusals()).toHaveLength(REFUSAL_LINES_PER_SECOND);
    expect(records().some((r) => r.msg === "refusals not logged")).toBe(false);

    clock.advance(1_000); // still refused: one request per 12 s comes back
    expect((await h.send("/v1/auth/me")).status).toBe(429);
    const [summary, line] = records().slice(-2);
    expect(summary).toMatchObject({
      msg: "refusals not logged",
      count: 100 - REFUSAL_LINES_PER_SECOND,
      top_clients: [{ count: 100 - REFUSAL_LINES_PER_SECOND }],
    });
    expect(line).toMatchObject({ msg: "request", status: 429 });
    // Other answers are never sampled.
    expect(lines.filter((l) => l.includes('"status":401'))).toHaveLength(5);
  });
});

test("a flood of failing health probes (not rate-limited) is capped the same way", async () => {
  const lines: string[] = [];
  const clock = new ManualClock(1_750_000_000_000);
  const app = createApp({
    config: { environment: "production", BODY_LIMIT: 1024 },
    logger: createLogger("info", (line) => lines.push(line)),
    version: "test",
    clock,
    // An outage: /readyz answers 503 to every probe.
    readiness: async () => ({ database: { ok: false, state: "unavailable" } }),
    clientIp: async (c, next) => {
      c.set("clientIp", "198.51.100.4");
      await next();
    },
    v1Middleware: [],
    routes: [],
  });
  for (let i = 0; i < 100; i++) expect((await app.request("/readyz")).status).toBe(503);
  const records = () => lines.map((l) => JSON.parse(l) as { msg: string; count?: number });
  expect(records().filter((r) => r.msg === "request")).toHaveLength(REFUSAL_LINES_PER_SECOND);
  clock.advance(1_000);
  await app.request("/readyz");
  expect(records().find((r) => r.msg === "failing probes not logged")?.count).toBe(
    100 - REFUSAL_LINES_PER_SECOND,
  );
});
