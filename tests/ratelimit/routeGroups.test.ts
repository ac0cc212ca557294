/** Route groups come from the URL path: names inherited from Object.prototype are not overrides. */
import { expect, test } from "bun:test";
import { loadConfig } from "../../src/config/index.ts";
import { limitsFor, policiesFromConfig, routeGroupOf } from "../../src/ratelimit/index.ts";

test.each(["/v1/constructor", "/v1/__proto__/x", "/v1/CONSTRUCTOR", "/v1/toString"])(
  "%p gets only the base limit, with valid numbers",
  (path) => {
    const loaded = loadConfig({ RATE_LIMIT_ROUTES: "market=300/1m" }, "development");
    if (!loaded.ok) throw new Error("config");
    const limits = limitsFor(
      policiesFromConfig(loaded.config),
      { kind: "ip", ip: "203.0.113.1" },
      routeGroupOf(path),
    );
    expect(limits).toHaveLength(1);
    expect(limits[0]).toMatchObject({ name: "ip", limit: 60, windowMs: 60_000 });
  },
);

test("a configured group still applies", () => {
  const loaded = loadConfig({ RATE_LIMIT_ROUTES: "market=300/1m" }, "development");
  if (!loaded.ok) throw new Error("config");
  const limits = limitsFor(
    policiesFromConfig(loaded.config),
    { kind: "ip", ip: "203.0.113.1" },
    routeGroupOf("/v1/market/quotes/AAPL"),
  );
  expect(limits.map((l) => [l.name, l.limit])).toEqual([
    ["ip", 60],
    ["market", 300],
  ]);
});
