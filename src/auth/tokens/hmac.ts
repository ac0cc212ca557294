/**
 * HMAC-SHA256 on `Bun.CryptoHasher`, with the keyed state computed once per
 * key: each MAC copies the hasher that already absorbed the padded key, so it
 * pays only for the message. Synchronous, and it keeps node:crypto (whose
 * first use costs milliseconds in the compiled binary) off the token path.
 * @module
 */

/** HMAC-SHA256(key, prefix + UTF-8 bytes of `input`) as canonical unpadded base64url (43 chars). */
export type MacFunction = (input: string) => string;

/**
 * A MAC function bound to one key and a fixed message prefix. The prefix is
 * absorbed once, here: every full 64-byte block of it is a SHA-256
 * compression no later MAC repeats (HMAC is a streaming hash, so the result is
 * exactly HMAC(key, prefix + input)).
 */
export function hmacSha256(key: Uint8Array, prefix = ""): MacFunction {
  const keyed = new Bun.CryptoHasher("sha256", key);
  if (prefix !== "") keyed.update(prefix);
  return (input) => keyed.copy().update(input).digest("base64url");
}

/**
 * Constant-time equality of a presented signature segment and our MAC, both
 * base64url text: every character is visited, no early exit. The length is
 * not secret (our MAC is always 43 chars). Comparing text instead of bytes
 * also pins the encoding: only the canonical spelling of the MAC can match.
 */
export function macEquals(presented: string, expected: string): boolean {
  if (presented.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) {
    diff |= presented.charCodeAt(i) ^ expected.charCodeAt(i);
  }
  return diff === 0;
}
