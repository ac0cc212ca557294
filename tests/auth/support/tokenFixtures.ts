/**
 * What the access-token verifier suites share (tokens, tokenTampering and
 * tokenValidity tests): the ring secrets, a verifier on an injected clock,
 * and a minter that signs exactly the header and claims it is given, so a
 * test can forge any token an attacker could.
 */
import { createHmac } from "node:crypto";
import { createAccessTokens, createKeyRing, keyId } from "../../../src/auth/tokens/index.ts";
import { ManualClock } from "../../../src/clock/index.ts";

/** The active signing secret. */
export const SECRET = "k3y-for-tests-0123456789abcdefghijklmnopqrstuvwxyz";
/** A retired secret, in the ring only when a test passes it as `previous`. */
export const OLD = "retired-secret-abcdefghijklmnopqrstuvwxyz0123456789";
/** A secret never in the ring. */
export const OTHER = "not-in-the-ring-abcdefghijklmnopqrstuvwxyz012345678";
/** The clock's start, in seconds (NumericDate). */
export const T0 = 1_800_000_000;

/** A verifier on a clock at {@link T0}; `previous` adds retired keys, `cacheSize` 0 disables its cache. */
export function setup(previous?: string, cacheSize?: number) {
  const clock = new ManualClock(T0 * 1000);
  const tokens = createAccessTokens({
    ring: createKeyRing(SECRET, previous),
    issuer: "trading-server",
    audience: "trading-api",
    ttlMs: 15 * 60_000,
    clock,
    ...(cacheSize === undefined ? {} : { cacheSize }),
  });
  return { clock, tokens };
}

/** base64url of a string as is, or of anything else as JSON. */
export const b64 = (v: unknown) =>
  Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
/** The base64url HMAC of `input` under the secret's UTF-8 bytes. */
export const hmac = (secret: string, input: string, alg = "sha256") =>
  createHmac(alg, Buffer.from(secret, "utf8")).update(input).digest("base64url");

/** A claim set the verifier accepts at {@link T0}, with `over` laid on top. */
export const goodClaims = (over: Record<string, unknown> = {}) => ({
  iss: "trading-server",
  aud: "trading-api",
  sub: "u1",
  sid: "s1",
  role: "viewer",
  iat: T0,
  exp: T0 + 900,
  jti: "j1",
  ver: 0,
  ...over,
});

/** Mints any token we like, signed with `secret` over exactly what is given. */
export function mint(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  secret = SECRET,
): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${hmac(secret, input)}`;
}
/** The header we mint (active key's kid), with `over` laid on top. */
export const H = (over: Record<string, unknown> = {}) => ({
  alg: "HS256",
  typ: "JWT",
  kid: keyId(SECRET),
  ...over,
});

/** "ok", or the verifier's rejection reason. */
export const reason = (r: ReturnType<ReturnType<typeof setup>["tokens"]["verify"]>) =>
  r.ok ? "ok" : r.reason;
