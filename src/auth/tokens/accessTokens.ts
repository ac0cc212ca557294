/**
 * Strict, synchronous HS256 access tokens: `Bun.CryptoHasher` HMAC with the
 * keyed state precomputed per key and a constant-time compare, no WebCrypto
 * promise per request.
 *
 * Verification order: size cap → three canonical base64url segments → header
 * (alg exactly HS256, typ JWT if present, no `crit`, nothing else) → kid in the
 * ring (no kid: each key of the ring, the active one first) → signature → claims (hand-written checks, see claims.ts) → iss/aud → time with leeway. Nothing in the
 * payload is looked at before the signature holds.
 * @module
 */
import type { Clock } from "../../clock/index.ts";
import type { AccessClaims } from "../../http/context.ts";
import type { Role } from "../roles.ts";
import { decodeCanonical, encode } from "./base64url.ts";
import { parseClaims } from "./claims.ts";
import { hmacSha256, type MacFunction, macEquals } from "./hmac.ts";
import type { KeyRing, RingKey } from "./keyRing.ts";

/** Why a token was rejected; for logs and tests, never sent to the client. */
export type RejectReason =
  | "too_large"
  | "malformed"
  | "header"
  | "algorithm"
  | "crit"
  | "unknown_kid"
  | "signature"
  | "claims"
  | "issuer"
  | "audience"
  | "expired"
  | "not_yet_valid"
  | "lifetime";

/** The outcome of a verification. */
export type VerifyResult = { ok: true; claims: AccessClaims } | { ok: false; reason: RejectReason };

/** What an access token is minted for. */
export interface TokenSubject {
  sub: string;
  sid: string;
  role: Role;
  ver: number;
}

/** A freshly minted token. */
export interface MintedToken {
  token: string;
  claims: AccessClaims;
  /** Lifetime in whole seconds (`expires_in`). */
  expiresIn: number;
}

/** Options of {@link createAccessTokens}. */
export interface AccessTokenOptions {
  ring: KeyRing;
  issuer: string;
  audience: string;
  /** `ACCESS_TOKEN_TTL` in ms. */
  ttlMs: number;
  clock: Clock;
  /** Clock-skew allowance in seconds (default 30). */
  leewaySeconds?: number;
  /** Tokens longer than this are rejected before any decoding (default 4096). */
  maxLength?: number;
  /**
   * Verified tokens remembered by their exact string (default 10 000; 0 turns
   * it off). A hit skips the HMAC, JSON and schema work but not the time
   * checks. Only tokens that passed full verification under this process's
   * ring enter it, so it cannot be filled or poisoned from outside.
   */
  cacheSize?: number;
}

/** Mints and verifies access tokens. */
export interface AccessTokens {
  sign(subject: TokenSubject): MintedToken;
  verify(token: string): VerifyResult;
}

const HEADER_KEYS = new Set(["alg", "typ", "kid"]);
// ignoreBOM keeps a leading U+FEFF in the text, where JSON.parse refuses it: the decoder would
// otherwise drop it, and a header or payload that does not start with `{` would pass.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const parseObject = (bytes: Uint8Array): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(utf8.decode(bytes));
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

const fail = (reason: RejectReason): VerifyResult => ({ ok: false, reason });

/**
 * A token id: 128 random bits as 22 base64url chars. A UUID spells 122 bits in
 * 36 chars; the 14 bytes saved are one SHA-256 block fewer to hash on every
 * verification of a typical token (docs/auth.md, "Token size").
 */
const newJti = (): string => encode(crypto.getRandomValues(new Uint8Array(16)));

/**
 * The header segment we mint for a key. A token that starts with it (and our
 * payload opening, {@link mintedPrefix}) skips decoding and parsing the header:
 * those exact bytes were checked once here. Any other start takes the strict path.
 */
const headerSegment = (kid: string) => encode(JSON.stringify({ alg: "HS256", typ: "JWT", kid }));

/**
 * The start of every token we mint under one key: the header segment, the dot,
 * and the base64url of the payload's constant opening (`{"iss":…,"aud":…,"sub":"`)
 * cut at a whole 3-byte group, so the text is the same whatever follows. Its
 * MAC state is absorbed once ({@link hmacSha256}): two of the six SHA-256
 * blocks of a typical token. A token that starts otherwise takes the full path.
 */
function mintedPrefix(kid: string, issuer: string, audience: string): string {
  const opening = `{"iss":${JSON.stringify(issuer)},"aud":${JSON.stringify(audience)},"sub":"`;
  const bytes = Buffer.from(opening, "utf8");
  return `${headerSegment(kid)}.${encode(bytes.subarray(0, bytes.length - (bytes.length % 3)))}`;
}

/**
 * Strict header check for tokens that do not start with our minted prefix (other HS256 tools):
 * the keys to try, or why not.
 */
function keysFromHeader(segment: string, ring: KeyRing): readonly RingKey[] | RejectReason {
  const bytes = decodeCanonical(segment);
  if (!bytes) return "malformed";
  const header = parseObject(bytes);
  if (!header) return "header";
  if ("crit" in header) return "crit";
  if (header.alg !== "HS256") return "algorithm";
  for (const key of Object.keys(header)) if (!HEADER_KEYS.has(key)) return "header";
  if (header.typ !== undefined && header.typ !== "JWT") return "header";
  // No kid: a token minted by a generic HS256 tool from a secret (DESIGN §6), the active or a
  // previous one: each key is tried (at most one HMAC per configured secret). Naming a key
  // proves nothing (a kid is derived from its secret), so a retired key need not be named.
  if (header.kid === undefined) return ring.keys;
  if (typeof header.kid !== "string") return "unknown_kid";
  const key = ring.byKid.get(header.kid);
  return key ? [key] : "unknown_kid";
}

/** Creates the signer/verifier for one key ring and configuration. */
export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  const leeway = options.leewaySeconds ?? 30;
  const maxLength = options.maxLength ?? 4096;
  const ttl = Math.max(1, Math.floor(options.ttlMs / 1000));
  const { ring, issuer, audience, clock } = options;

  const macs = new Map<RingKey, MacFunction>(ring.keys.map((k) => [k, hmacSha256(k.key)]));
  const mac = (key: RingKey, input: string) => (macs.get(key) as MacFunction)(input);
  const prefixes = ring.keys.map((k) => {
    const text = mintedPrefix(k.kid, issuer, audience);
    return { text, macRest: hmacSha256(k.key, text) };
  });
  const cacheSize = options.cacheSize ?? 10_000;
  const verified = new Map<string, AccessClaims>();
  const insertionOrder: (string | undefined)[] = [];
  let nextSlot = 0;

  return {
    sign(subject) {
      const iat = Math.floor(clock.now() / 1000);
      const { sub, sid, role, ver } = subject;
      const claims: AccessClaims = {
        sub,
        sid,
        role,
        ver,
        iat,
        exp: iat + ttl,
        jti: newJti(),
      };
      const header = headerSegment(ring.active.kid);
      // Fixed key order, iss and aud first: the opening is the prefix verify() has pre-absorbed.
      const payload = encode(JSON.stringify({ iss: issuer, aud: audience, ...claims }));
      const input = `${header}.${payload}`;
      return {
        token: `${input}.${mac(ring.active, input)}`,
        claims,
        expiresIn: ttl,
      };
    },

    verify(token) {
      // The size cap comes before any work, the cache lookup (which hashes the string) included.
      if (typeof token !== "string" || token.length > maxLength) return fail("too_large");
      const cached = verified.get(token);
      if (cached) {
        const timed = checkTime(cached, clock.now() / 1000);
        if (timed !== undefined) verified.delete(token);
        return timed ?? { ok: true, claims: cached };
      }
      const result = verifyFully(token);
      if (result.ok && cacheSize > 0) {
        // FIFO through a ring of keys: `verified.keys().next()` after many front deletions walks
        // the Map's tombstones (measured ~20-40 µs per miss at 10 000 entries).
        const evicted = insertionOrder[nextSlot];
        if (evicted !== undefined) verified.delete(evicted);
        insertionOrder[nextSlot] = token;
        nextSlot = (nextSlot + 1) % cacheSize;
        verified.set(token, result.claims);
      }
      return result;
    },
  };

  function checkTime(c: AccessClaims & { nbf?: number }, now: number): VerifyResult | undefined {
    if (now >= c.exp + leeway) return fail("expired");
    if (c.iat > now + leeway || (c.nbf !== undefined && c.nbf > now + leeway)) {
      return fail("not_yet_valid");
    }
    return undefined;
  }

  function verifyFully(token: string): VerifyResult {
    const firstDot = token.indexOf(".");
    const secondDot = token.indexOf(".", firstDot + 1);
    if (firstDot < 0 || secondDot < 0 || token.indexOf(".", secondDot + 1) >= 0) {
      return fail("malformed");
    }
    const signature = token.slice(secondDot + 1);
    let expected: string | undefined;
    for (const p of prefixes) {
      if (!token.startsWith(p.text)) continue;
      expected = p.macRest(token.slice(p.text.length, secondDot));
      break;
    }
    if (expected === undefined) {
      // Not our minted opening (another tool, another claim order): the strict header check.
      const candidates = keysFromHeader(token.slice(0, firstDot), ring);
      if (typeof candidates === "string") return fail(candidates);
      const input = token.slice(0, secondDot);
      for (const key of candidates) {
        expected = mac(key, input);
        if (macEquals(signature, expected)) break;
      }
    }
    if (expected === undefined || !macEquals(signature, expected)) {
      // Only the canonical spelling can equal our MAC; the reason only tells the logs which failed.
      return fail(decodeCanonical(signature) ? "signature" : "malformed");
    }
    const payloadBytes = decodeCanonical(token.slice(firstDot + 1, secondDot));
    if (!payloadBytes) return fail("malformed");

    const raw = parseObject(payloadBytes);
    const c = raw && parseClaims(raw);
    if (!c) return fail("claims");
    if (c.iss !== issuer) return fail("issuer");
    if (typeof c.aud === "string" ? c.aud !== audience : !c.aud.includes(audience)) {
      return fail("audience");
    }
    // A token may not claim a longer life than we mint: catches exp in milliseconds.
    if (c.exp <= c.iat || c.exp - c.iat > ttl) return fail("lifetime");
    const timed = checkTime(c, clock.now() / 1000);
    if (timed) return timed;
    const claims: AccessClaims & { nbf?: number } = {
      sub: c.sub,
      sid: c.sid,
      role: c.role,
      iat: c.iat,
      exp: c.exp,
      jti: c.jti,
      ver: c.ver,
    };
    if (c.nbf !== undefined) claims.nbf = c.nbf;
    // Shared by every request that presents this token (cache): nobody may mutate it.
    return { ok: true, claims: Object.freeze(claims) };
  }
}
