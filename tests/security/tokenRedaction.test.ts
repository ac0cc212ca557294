import { describe, expect, test } from "bun:test";
import { REDACTED_TOKEN, redactTokens } from "../../src/security/tokenRedaction.ts";

describe("redactTokens", () => {
  test("JWT-shaped runs go, everything else stays", () => {
    const jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
    expect(redactTokens(`/a/${jwt}/b`)).toBe(`/a/${REDACTED_TOKEN}/b`);
    expect(redactTokens(`/a/${jwt}sig/${jwt}`)).toBe(`/a/${REDACTED_TOKEN}/${REDACTED_TOKEN}`);
    expect(redactTokens(`/a/${jwt.replaceAll(".", "%2e")}`)).toBe(`/a/${REDACTED_TOKEN}`);
    for (const path of [
      "/v1/market/quotes/AAPL",
      "/v1/news",
      "/eyJ", // a prefix alone is not a token
      "/eyJabc.def", // two segments are not a JWS
      "/v1/users/0cf15d8b-aedf-4f6c-a7ea-2a0458434126",
    ]) {
      expect(redactTokens(path)).toBe(path);
    }
  });

  test("linear on hostile input: 100 000 characters of near-misses in well under a second", () => {
    // A bound against quadratic backtracking (seconds at this size), not a benchmark.
    for (const unit of ["eyJ", "eyJ.", "eyJ%2", "eyJ%2E"]) {
      const hostile = `/${unit.repeat(Math.ceil(100_000 / unit.length))}`;
      const started = performance.now();
      redactTokens(hostile);
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });
});
