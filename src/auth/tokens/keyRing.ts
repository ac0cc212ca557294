/**
 * The HS256 key ring: the active `SECURITY_SECRET_KEY` signs, retired keys
 * from `SECURITY_SECRET_KEY_PREVIOUS` only verify. Each key is named by a
 * short fingerprint (`kid`) so a verifier tries every key only for tokens
 * without one (minted by other tools).
 * @module
 */
/** One key of the ring. */
export interface RingKey {
  /** Fingerprint: the first 12 base64url chars of SHA-256("trading-server kid v1\0" + secret). */
  kid: string;
  /** HMAC key: the UTF-8 bytes of the secret string as configured (no decoding). */
  key: Buffer;
}

/** Signing key plus every key accepted for verification. */
export interface KeyRing {
  active: RingKey;
  /** Keys by kid, the active one included. */
  byKid: ReadonlyMap<string, RingKey>;
  /** Every key, the active one first. */
  keys: readonly RingKey[];
}

/**
 * A fingerprint of a secret. 72 bits of a SHA-256 reveal nothing useful about
 * a ≥256-bit secret, and a weak secret is already exposed to offline guessing
 * by any token's signature, so the kid adds no attack surface.
 */
export function keyId(secret: string): string {
  // Bun.CryptoHasher, not node:crypto: the ring is built at start-up, where node:crypto's first use is slow.
  return new Bun.CryptoHasher("sha256")
    .update(`trading-server kid v1\0${secret}`)
    .digest("base64url")
    .slice(0, 12);
}

const ringKey = (secret: string): RingKey => ({
  kid: keyId(secret),
  key: Buffer.from(secret, "utf8"),
});

/** Builds a ring from the active secret and a comma-separated list of retired ones. */
export function createKeyRing(active: string, previous?: string): KeyRing {
  if (active.length === 0) throw new Error("the signing secret is empty");
  const activeKey = ringKey(active);
  const byKid = new Map<string, RingKey>([[activeKey.kid, activeKey]]);
  for (const secret of (previous ?? "").split(",")) {
    const trimmed = secret.trim();
    if (trimmed === "") continue;
    const k = ringKey(trimmed);
    if (!byKid.has(k.kid)) byKid.set(k.kid, k);
  }
  return { active: activeKey, byKid, keys: [...byKid.values()] };
}
