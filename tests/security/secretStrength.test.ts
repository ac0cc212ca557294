import { describe, expect, test } from "bun:test";
import { isSequentialString, shannonEntropy } from "../../src/security/entropy.ts";
import { isKnownSecret, knownSecretCount } from "../../src/security/knownSecrets.ts";
import {
  assessSecret,
  isPlaceholder,
  isStrongSecret,
  isTemplated,
} from "../../src/security/secretStrength.ts";
import { randomSecret, unresolved } from "./support.ts";

describe("shannonEntropy (reference §3 table)", () => {
  test.each([
    ["changeme", 2.75],
    ["TradingSystem2024!", 4.059],
    ["abcde".repeat(10), 2.322],
    ["dev-secret-key-change-in-production", 3.908],
  ])("%p → %p bits/char", (value, h) => expect(shannonEntropy(value)).toBeCloseTo(h, 2));

  test("empty and single-symbol strings carry no entropy", () => {
    expect(shannonEntropy("")).toBe(0);
    expect(shannonEntropy("aaaa")).toBe(0);
  });
});

describe("isSequentialString", () => {
  test.each([
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
    "abcdefghijklmnopqrstuvwxyz0123456789",
    "9876543210",
    "0123456789ABCDEF0123",
  ])("%p is sequential", (value) => expect(isSequentialString(value)).toBe(true));
  test("random text is not", () => expect(isSequentialString(randomSecret())).toBe(false));
});

describe("known secrets", () => {
  test.each([
    "TradingSystem2024!",
    "tradingsystem2024!",
    "TRADINGSYSTEM2024!",
    "secret",
    "changeme",
    "your-256-bit-secret",
    "your_jwt_secret",
    "supersecret",
    "secretkey",
    "password",
    "keyboard cat",
    "jwt-secret",
    "shhhhh",
    "test",
    "default",
    "dev-secret-key-change-in-production",
    "django-insecure-0123abcd",
    " secret ",
  ])("%p is known", (value) => expect(isKnownSecret(value)).toBe(true));

  test("a random value is not known, and the list has a few hundred entries", () => {
    expect(isKnownSecret(randomSecret())).toBe(false);
    expect(isKnownSecret("TradingSystem2024")).toBe(false);
    expect(knownSecretCount()).toBeGreaterThan(300);
  });
});

describe("secret predicates", () => {
  test.each([
    unresolved("JWT_SECRET"),
    "<generated-secret>",
    "{secret}",
    "{{ secret }}",
    "$SECRET_KEY",
    "*****",
  ])("%p is templated", (value) => expect(isTemplated(value)).toBe(true));
  test("a random value is not templated", () => expect(isTemplated(randomSecret())).toBe(false));

  test.each([
    "my-example-key-0123456789abcdefghij",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "CHANGEME-please-7d1f0a9e3c5b2d4f6a8c",
    "your-signing-key-goes-here-0123456789",
    "prod-test-7d1f0a9e3c5b2d4f6a8c1e3b5d7f",
    "DEV_7d1f0a9e3c5b2d4f6a8c1e3b5d7f9a1c",
    "demo.7d1f0a9e3c5b2d4f6a8c1e3b5d7f9a1c",
  ])("%p is a placeholder", (value) => expect(isPlaceholder(value)).toBe(true));

  test("short words count only as whole tokens", () => {
    expect(isPlaceholder("Kdevq7d1f0a9e3c5b2d4f6a8c1e3b5d7f9")).toBe(false);
    expect(isPlaceholder("xtesty7d1f0a9e3c5b2d4f6a8c1e3b5d7f9")).toBe(false);
  });

  test("strength: length, per-char entropy, total bits, no runs", () => {
    expect(isStrongSecret(randomSecret(32))).toBe(true); // 43 chars
    expect(isStrongSecret(randomBytesHex(32))).toBe(true); // 64 hex chars, H≈3.7-3.9
    expect(isStrongSecret(randomSecret(16))).toBe(false); // 22 chars: too short
    expect(isStrongSecret("abcde".repeat(10))).toBe(false); // H = 2.32
    expect(isStrongSecret("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345")).toBe(false); // a run
    expect(isStrongSecret("ab".repeat(40))).toBe(false);
  });

  test("assessSecret reports the worst weakness first", () => {
    expect(assessSecret("TradingSystem2024!")).toBe("known");
    expect(assessSecret(unresolved("SECURITY_SECRET_KEY"))).toBe("templated");
    expect(assessSecret("replace-me-with-a-long-random-string-0123")).toBe("placeholder");
    expect(assessSecret("Zq8#pL2@")).toBe("weak");
    expect(assessSecret(randomSecret())).toBeUndefined();
  });
});

function randomBytesHex(n: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString("hex");
}
