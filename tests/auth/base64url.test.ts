/**
 * The strict base64url decoder against a reference definition: the alphabet
 * by regular expression, no padding, zero unused bits. Random strings drawn
 * from the alphabet plus the characters lenient decoders skip or accept.
 */
import { describe, expect, test } from "bun:test";
import { decodeCanonical, encode } from "../../src/auth/tokens/base64url.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The definition, written the slow and obvious way. */
function reference(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, "base64url");
  return encode(bytes) === text ? new Uint8Array(bytes) : undefined;
}

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("decodeCanonical", () => {
  test("round-trips every length of random bytes", () => {
    const next = random(1);
    for (let n = 1; n < 200; n++) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
      expect(decodeCanonical(encode(bytes))).toEqual(bytes);
    }
  });

  test.each([
    ["empty", ""],
    ["one char past a group", "abcde"],
    ["padding", "YWI="],
    ["padding in the middle", "YW=I"],
    ["inner space", "YW Jj"],
    ["trailing newline", "YWJj\n"],
    ["tab", "YW\tJj"],
    ["standard alphabet +", "ab+c"],
    ["standard alphabet /", "ab/c"],
    ["non-zero unused bits", "YWJ"],
    ["non-ASCII", "YWJé"],
    ["no-break space", "YW\u00a0Jj"],
  ])("refuses %s", (_name, text) => {
    expect(decodeCanonical(text)).toBeUndefined();
  });

  test("agrees with the reference on 20 000 hostile strings", () => {
    const next = random(7);
    const pool = `${ALPHABET}=+/ \n\t\r.\u00a0é`;
    for (let i = 0; i < 20_000; i++) {
      const length = Math.floor(next() * 12);
      let text = "";
      for (let j = 0; j < length; j++) {
        // Mostly alphabet characters, so many strings are near-valid.
        const from = next() < 0.9 ? ALPHABET : pool;
        text += from[Math.floor(next() * from.length)];
      }
      expect([text, decodeCanonical(text)]).toEqual([text, reference(text)]);
    }
  });
});
