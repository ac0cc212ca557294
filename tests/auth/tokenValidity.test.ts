/**
 * The access-token verifier's claim rules (reference/auth.md §1): missing or
 * mistyped claims, lifetime, iss/aud, and the time edges around the 30 s
 * leeway on an injected clock, with and without the verification cache.
 */
import { describe, expect, test } from "bun:test";
import { goodClaims, H, mint, reason, setup, T0 } from "./support/tokenFixtures.ts";

describe("claims", () => {
  const { tokens } = setup();
  test.each(["iss", "aud", "sub", "sid", "role", "iat", "exp", "jti", "ver"])(
    "missing %s",
    (claim) => {
      const c: Record<string, unknown> = goodClaims();
      delete c[claim];
      expect(reason(tokens.verify(mint(H(), c)))).toBe("claims");
    },
  );

  test.each([
    ["exp as string", { exp: "x" }],
    ["exp as numeric string", { exp: String(T0 + 900) }],
    ["exp zero-ish bool", { exp: false }],
    ["iat negative", { iat: -1 }],
    ["role unknown", { role: "root" }],
    ["ver negative", { ver: -1 }],
    ["ver string", { ver: "0" }],
    ["sub number", { sub: 1 }],
    ["nbf string", { nbf: "0" }],
    ["payload array", null],
  ])("%s", (_n, over) => {
    const claims = over === null ? [goodClaims()] : goodClaims(over);
    expect(reason(tokens.verify(mint(H(), claims as Record<string, unknown>)))).toBe("claims");
  });

  test("exp in milliseconds (valid for decades elsewhere) is rejected", () => {
    expect(reason(tokens.verify(mint(H(), goodClaims({ exp: (T0 + 900) * 1000 }))))).toBe("claims");
    // Below the NumericDate cap but still longer than any token we mint.
    expect(reason(tokens.verify(mint(H(), goodClaims({ exp: T0 + 86_400 }))))).toBe("lifetime");
  });

  test("exp before iat is rejected", () => {
    expect(reason(tokens.verify(mint(H(), goodClaims({ exp: T0 - 1 }))))).toBe("lifetime");
  });

  test("issuer and audience", () => {
    expect(reason(tokens.verify(mint(H(), goodClaims({ iss: "evil" }))))).toBe("issuer");
    expect(reason(tokens.verify(mint(H(), goodClaims({ aud: "other-api" }))))).toBe("audience");
    expect(reason(tokens.verify(mint(H(), goodClaims({ aud: ["x", "trading-api"] }))))).toBe("ok");
    expect(reason(tokens.verify(mint(H(), goodClaims({ aud: ["x"] }))))).toBe("audience");
  });
});

describe.each([
  ["cached", undefined],
  ["uncached", 0],
])("time and leeway (injected clock, %s)", (_name, cacheSize) => {
  test("exp: valid until exp + 30 s, rejected from then on", () => {
    const { clock, tokens } = setup(undefined, cacheSize);
    const t = mint(H(), goodClaims());
    clock.set((T0 + 900 + 29) * 1000 + 999);
    expect(reason(tokens.verify(t))).toBe("ok");
    clock.set((T0 + 900 + 30) * 1000);
    expect(reason(tokens.verify(t))).toBe("expired");
    clock.set((T0 + 100_000) * 1000);
    expect(reason(tokens.verify(t))).toBe("expired");
  });

  test("non-integer NumericDates (RFC 7519 §2) get the same leeway edges", () => {
    const { clock, tokens } = setup(undefined, cacheSize);
    const t = mint(H(), goodClaims({ iat: T0 + 0.25, exp: T0 + 899.5 }));
    clock.set((T0 + 899.5 + 29.9) * 1000);
    expect(reason(tokens.verify(t))).toBe("ok");
    clock.set((T0 + 899.5 + 30) * 1000);
    expect(reason(tokens.verify(t))).toBe("expired");
    const lifetime = mint(H(), goodClaims({ iat: T0, exp: T0 + 900.5 }));
    expect(reason(setup(undefined, cacheSize).tokens.verify(lifetime))).toBe("lifetime");
  });

  test("iat in the future: up to 30 s of skew tolerated", () => {
    const { tokens } = setup(undefined, cacheSize);
    expect(reason(tokens.verify(mint(H(), goodClaims({ iat: T0 + 30, exp: T0 + 930 }))))).toBe(
      "ok",
    );
    expect(reason(tokens.verify(mint(H(), goodClaims({ iat: T0 + 31, exp: T0 + 931 }))))).toBe(
      "not_yet_valid",
    );
  });

  test("nbf honoured with leeway when present, also on a repeat", () => {
    const { clock, tokens } = setup(undefined, cacheSize);
    expect(reason(tokens.verify(mint(H(), goodClaims({ nbf: T0 + 30 }))))).toBe("ok");
    const later = mint(H(), goodClaims({ nbf: T0 + 31 }));
    expect(reason(tokens.verify(later))).toBe("not_yet_valid");
    clock.advance(1000);
    expect(reason(tokens.verify(later))).toBe("ok");
    clock.set((T0 - 10) * 1000);
    expect(reason(tokens.verify(later))).toBe("not_yet_valid");
  });

  test("verified claims are frozen (shared between requests)", () => {
    const { tokens } = setup(undefined, cacheSize);
    const r = tokens.verify(mint(H(), goodClaims()));
    expect(r.ok && Object.isFrozen(r.claims)).toBe(true);
  });
});
