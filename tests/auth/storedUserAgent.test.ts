/** A User-Agent is stored with tokens cut out before it is shortened, never the other way round. */
import { expect, test } from "bun:test";
import { storedUserAgent } from "../../src/auth/auditTrail.ts";

test("a token across the 256-character cut leaves no unsigned fragment behind", () => {
  const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSIsInJvbGUiOiJhZG1pbiJ9.c2lnbmF0dXJl";
  const stored = storedUserAgent(`${"x".repeat(230)} ${jwt}`);
  expect(stored).toBe(`${"x".repeat(230)} [redacted-token]`);
  expect(storedUserAgent(`${"y".repeat(300)}`)).toHaveLength(256);
  expect(storedUserAgent(undefined)).toBeNull();
});
