import { describe, expect, test } from "bun:test";
import { newRefreshToken } from "../../src/auth/refreshTokens.ts";
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

  test("opaque refresh tokens and provider secrets go: long base64url runs of mixed case", () => {
    const refresh = newRefreshToken();
    expect(redactTokens(`/v1/auth/refresh/${refresh}`)).toBe(`/v1/auth/refresh/${REDACTED_TOKEN}`);
    expect(redactTokens(`myclient refresh=${refresh}`)).toBe(`myclient refresh=${REDACTED_TOKEN}`);
    expect(redactTokens(`/q?t=${refresh}x&u=1`)).toBe(`/q?t=${REDACTED_TOKEN}&u=1`);
    // An Alpaca-style 40-character secret.
    const secret = "Zx9kQ2mVb7Lr4Tn8Hc1Wd6Fs3Jy5Gp0Ae2Uo7Ki4";
    expect(redactTokens(`/x/${secret}`)).toBe(`/x/${REDACTED_TOKEN}`);
    for (const text of [
      `/${"a".repeat(100)}`,
      // UUIDs are 36 characters; with a prefix, or as a traceparent, they are one-case runs.
      "/v1/admin/users/0cf15d8b-aedf-4f6c-a7ea-2a0458434126",
      "req-0cf15d8b-aedf-4f6c-a7ea-2a0458434126",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "bot/1.0 (+a94a8fe5ccb19ba61c4c0873d391e987982fbbd3)",
      "alice_smith_trading_desk_account_2024_q1x",
      `/x/${secret.slice(0, 39)}`, // shorter than any secret we issue or accept
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0",
    ]) {
      expect(redactTokens(text)).toBe(text);
    }
    // A hundred fresh tokens, none kept by chance.
    for (let i = 0; i < 100; i++) expect(redactTokens(newRefreshToken())).toBe(REDACTED_TOKEN);
  });

  test("linear on hostile input: 100 000 characters of near-misses in well under a second", () => {
    // A bound against quadratic backtracking (seconds at this size), not a benchmark.
    for (const unit of ["eyJ", "eyJ.", "eyJ%2", "eyJ%2E", `${"aB1".repeat(13)}/`]) {
      const hostile = `/${unit.repeat(Math.ceil(100_000 / unit.length))}`;
      const started = performance.now();
      redactTokens(hostile);
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });
});
