/** A User-Agent is recorded with tokens cut out before it is shortened, never the other way round. */
import { expect, test } from "bun:test";
import { recordedUserAgent } from "../../src/security/recordedUserAgent.ts";

test("a token across the 256-character cut leaves no unsigned fragment behind", () => {
  const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSIsInJvbGUiOiJhZG1pbiJ9.c2lnbmF0dXJl";
  const stored = recordedUserAgent(`${"x".repeat(230)} ${jwt}`);
  expect(stored).toBe(`${"x".repeat(230)} [redacted-token]`);
  expect(recordedUserAgent(`${"y".repeat(300)}`)).toHaveLength(256);
  expect(recordedUserAgent(undefined)).toBeNull();
});
