/**
 * Access tokens: key ring, strict HS256 signer/verifier.
 * @module
 */
export {
  type AccessTokenOptions,
  type AccessTokens,
  createAccessTokens,
  type MintedToken,
  type RejectReason,
  type TokenSubject,
  type VerifyResult,
} from "./accessTokens.ts";
export { decodeCanonical, encode as encodeBase64url } from "./base64url.ts";
export { createKeyRing, type KeyRing, keyId, type RingKey } from "./keyRing.ts";
