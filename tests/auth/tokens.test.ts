/**
 * The attack catalogue against the access-token verifier (reference/auth.md §1):
 * algorithm games, header tricks, tampering, non-canonical encodings, size,
 * missing/mistyped claims, time edges around the leeway, iss/aud, key ring.
 */
import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { SignJWT } from "jose";
import { createAccessTokens, createKeyRing, keyId } from "../../src/auth/tokens/index.ts";
import { ManualClock } from "../../src/clock/index.ts";

const SECRET = "k3y-for-tests-0123456789abcdefghijklmnopqrstuvwxyz";
const OLD = "retired-secret-abcdefghijklmnopqrstuvwxyz0123456789";
const OTHER = "not-in-the-ring-abcdefghijklmnopqrstuvwxyz012345678";
const T0 = 1_800_000_000;

function setup(previous?: string, cacheSize?: number) {
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

const b64 = (v: unknown) =>
  Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
const hmac = (secret: string, input: string, alg = "sha256") =>
  createHmac(alg, Buffer.from(secret, "utf8")).update(input).digest("base64url");

const goodClaims = (over: Record<string, unknown> = {}) => ({
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
function mint(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  secret = SECRET,
): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${hmac(secret, input)}`;
}
const H = (over: Record<string, unknown> = {}) => ({
  alg: "HS256",
  typ: "JWT",
  kid: keyId(SECRET),
  ...over,
});

const reason = (r: ReturnType<ReturnType<typeof setup>["tokens"]["verify"]>) =>
  r.ok ? "ok" : r.reason;

describe("sign and verify", () => {
  test("a minted token verifies and carries the claims", () => {
    const { tokens } = setup();
    const minted = tokens.sign({ sub: "u1", sid: "s1", role: "admin", ver: 3 });
    expect(minted.expiresIn).toBe(900);
    const r = tokens.verify(minted.token);
    expect(r).toEqual({ ok: true, claims: minted.claims });
    expect(minted.claims).toMatchObject({
      sub: "u1",
      sid: "s1",
      role: "admin",
      ver: 3,
      iat: T0,
      exp: T0 + 900,
    });
  });

  test("any HS256 tool can mint with the secret's UTF-8 bytes (jose)", async () => {
    const { tokens } = setup();
    const token = await new SignJWT(goodClaims())
      .setProtectedHeader({ alg: "HS256", kid: keyId(SECRET) })
      .sign(new TextEncoder().encode(SECRET));
    expect(reason(tokens.verify(token))).toBe("ok");
  });

  test("a generic tool's header without kid verifies under any key of the ring", async () => {
    const { tokens } = setup(OLD);
    const bare = (secret: string) =>
      new SignJWT(goodClaims())
        .setProtectedHeader({ alg: "HS256" })
        .sign(new TextEncoder().encode(secret));
    expect(reason(tokens.verify(await bare(SECRET)))).toBe("ok");
    // A previous key need not be named (its kid is derived from the secret, so naming proves nothing).
    expect(reason(tokens.verify(await bare(OLD)))).toBe("ok");
    expect(reason(tokens.verify(await bare(OTHER)))).toBe("signature");
    expect(reason(tokens.verify(mint({ alg: "HS256", typ: "JWT" }, goodClaims())))).toBe("ok");
    expect(reason(tokens.verify(mint({ alg: "HS256", crit: ["exp"] }, goodClaims())))).toBe("crit");
    expect(reason(tokens.verify(mint({ alg: "none" }, goodClaims())))).toBe("algorithm");
  });

  test("a byte-order mark before the header or payload JSON is refused", () => {
    const { tokens } = setup();
    const bom = (v: unknown) => Buffer.from(`\ufeff${JSON.stringify(v)}`).toString("base64url");
    const signed = (input: string) => `${input}.${hmac(SECRET, input)}`;
    const header = { alg: "HS256", kid: keyId(SECRET) };
    expect(reason(tokens.verify(signed(`${bom(header)}.${b64(goodClaims())}`)))).toBe("header");
    expect(reason(tokens.verify(signed(`${b64(header)}.${bom(goodClaims())}`)))).toBe("claims");
    expect(reason(tokens.verify(signed(`${b64(header)}.${b64(goodClaims())}`)))).toBe("ok");
  });

  test("the kid is a fingerprint, not the key", () => {
    const { tokens } = setup();
    const header = JSON.parse(
      Buffer.from(
        tokens.sign({ sub: "u", sid: "s", role: "viewer", ver: 0 }).token.split(".")[0] as string,
        "base64url",
      ).toString(),
    );
    expect(header).toEqual({ alg: "HS256", typ: "JWT", kid: keyId(SECRET) });
    expect(header.kid).toHaveLength(12);
    expect(SECRET).not.toContain(header.kid);
  });

  test("jti is 128 random bits in 22 canonical base64url characters, unique per token", () => {
    const { tokens } = setup();
    const ids = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const { jti } = tokens.sign({ sub: "u", sid: "s", role: "viewer", ver: 0 }).claims;
      expect(jti).toMatch(/^[A-Za-z0-9_-]{21}[AQgw]$/); // 128 bits: the last char carries 2 zero bits
      expect(Buffer.from(jti, "base64url")).toHaveLength(16);
      ids.add(jti);
    }
    expect(ids.size).toBe(2_000);
  });

  test("a production-shaped token (UUID ids) hashes four inner SHA-256 blocks", () => {
    const { tokens } = setup();
    const { token } = tokens.sign({
      sub: crypto.randomUUID(),
      sid: crypto.randomUUID(),
      role: "viewer",
      ver: 123_456,
    });
    const signingInput = token.slice(0, token.lastIndexOf(".")).length;
    // Two blocks of our minted prefix are pre-absorbed (docs/auth.md, "Token size").
    expect(Math.ceil((signingInput + 73) / 64) - 3).toBe(4);
  });
});

describe("algorithm and header games", () => {
  const { tokens } = setup();
  test.each([
    ["none", { alg: "none" }],
    ["None", { alg: "None" }],
    ["lowercase hs256", { alg: "hs256" }],
    ["HS384", { alg: "HS384" }],
    ["HS512", { alg: "HS512" }],
    ["RS256", { alg: "RS256" }],
    ["ES256", { alg: "ES256" }],
    ["missing alg", { alg: undefined }],
  ])("alg %s is rejected", (_name, over) => {
    expect(reason(tokens.verify(mint(H(over), goodClaims())))).toBe("algorithm");
  });

  test("alg none with an empty signature is malformed", () => {
    const t = `${b64({ alg: "none", typ: "JWT" })}.${b64(goodClaims())}.`;
    expect(tokens.verify(t).ok).toBe(false);
  });

  test("HS384/HS512 signatures made with the right secret still fail", () => {
    const input = `${b64(H({ alg: "HS512" }))}.${b64(goodClaims())}`;
    expect(tokens.verify(`${input}.${hmac(SECRET, input, "sha512")}`).ok).toBe(false);
  });

  test("crit is rejected, even empty", () => {
    expect(reason(tokens.verify(mint(H({ crit: ["exp"] }), goodClaims())))).toBe("crit");
    expect(reason(tokens.verify(mint(H({ crit: [] }), goodClaims())))).toBe("crit");
  });

  test.each([
    ["jku", { jku: "http://127.0.0.1/keys" }],
    ["jwk", { jwk: { kty: "oct", k: "AAAA" } }],
    ["x5u", { x5u: "http://127.0.0.1/x" }],
    ["typ at+jwt", { typ: "at+jwt" }],
    ["typ jwt", { typ: "jwt" }],
  ])("header %s is rejected", (_n, over) => {
    expect(reason(tokens.verify(mint(H(over), goodClaims())))).toBe("header");
  });

  test("typ may be absent", () => {
    expect(reason(tokens.verify(mint(H({ typ: undefined }), goodClaims())))).toBe("ok");
  });

  test("header that is not an object", () => {
    const input = `${b64("[1]")}.${b64(goodClaims())}`;
    expect(reason(tokens.verify(`${input}.${hmac(SECRET, input)}`))).toBe("header");
  });
});

describe("key ring", () => {
  test("an unknown or mistyped kid is rejected, even with a valid signature under that key", () => {
    const { tokens } = setup();
    expect(reason(tokens.verify(mint(H({ kid: keyId(OTHER) }), goodClaims(), OTHER)))).toBe(
      "unknown_kid",
    );
    expect(reason(tokens.verify(mint(H({ kid: null }), goodClaims())))).toBe("unknown_kid");
    expect(reason(tokens.verify(mint(H({ kid: "" }), goodClaims())))).toBe("unknown_kid");
    expect(reason(tokens.verify(mint(H({ kid: 42 }), goodClaims())))).toBe("unknown_kid");
    expect(reason(tokens.verify(mint(H({ kid: "../../etc/passwd' OR 1=1" }), goodClaims())))).toBe(
      "unknown_kid",
    );
  });

  test("a retired key still verifies during rotation; signing uses the active key", () => {
    const { tokens } = setup(`${OLD}, ${OTHER}`);
    expect(reason(tokens.verify(mint(H({ kid: keyId(OLD) }), goodClaims(), OLD)))).toBe("ok");
    // Right kid, wrong key: signature check fails.
    expect(reason(tokens.verify(mint(H({ kid: keyId(OLD) }), goodClaims(), SECRET)))).toBe(
      "signature",
    );
    const { tokens: withoutOld } = setup();
    expect(reason(withoutOld.verify(mint(H({ kid: keyId(OLD) }), goodClaims(), OLD)))).toBe(
      "unknown_kid",
    );
  });

  test("an empty secret cannot build a ring", () => {
    expect(() => createKeyRing("")).toThrow();
  });
});

describe("tampering and encodings", () => {
  const { tokens } = setup();
  const good = mint(H(), goodClaims());
  const [h, p, s] = good.split(".") as [string, string, string];

  test("payload swapped for an admin payload", () => {
    expect(reason(tokens.verify(`${h}.${b64(goodClaims({ role: "admin" }))}.${s}`))).toBe(
      "signature",
    );
  });

  test("signature of another token", () => {
    const other = mint(H(), goodClaims({ sub: "u2" }));
    expect(reason(tokens.verify(`${h}.${p}.${other.split(".")[2]}`))).toBe("signature");
  });

  test.each([
    ["padding", `${good}=`],
    ["padding on header", `${h}=.${p}.${s}`],
    [
      "standard alphabet",
      `${h}.${p}.${s.replace(/-/g, "+").replace(/_/g, "/")}${/[-_]/.test(s) ? "" : "+"}`,
    ],
    ["whitespace", `${h}.${p}.${s.slice(0, 5)} ${s.slice(5)}`],
    ["trailing newline", `${good}\n`],
    ["four segments", `${good}.${s}`],
    ["two segments", `${h}.${p}`],
    ["empty signature", `${h}.${p}.`],
    ["empty", ""],
    ["dots", ".."],
  ])("%s is rejected", (_n, t) => {
    expect(tokens.verify(t).ok).toBe(false);
  });

  test("a flipped low-order bit in the last character (non-canonical) is rejected", () => {
    // 32 bytes → 43 chars; the last char carries 4 unused bits.
    const last = s.at(-1) as string;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const twin = alphabet[alphabet.indexOf(last) ^ 1] as string;
    expect(
      Buffer.from(`${s.slice(0, -1)}${twin}`, "base64url").equals(Buffer.from(s, "base64url")),
    ).toBe(true);
    expect(reason(tokens.verify(`${h}.${p}.${s.slice(0, -1)}${twin}`))).toBe("malformed");
  });

  test("oversized tokens are rejected before decoding", () => {
    expect(reason(tokens.verify(mint(H(), goodClaims({ pad: "x".repeat(5000) }))))).toBe(
      "too_large",
    );
    expect(reason(tokens.verify("a".repeat(1_000_000)))).toBe("too_large");
  });

  test("non-JSON payload", () => {
    const input = `${b64(H())}.${b64("not json")}`;
    expect(reason(tokens.verify(`${input}.${hmac(SECRET, input)}`))).toBe("claims");
  });
});

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

describe("header spellings other than the one we mint take the strict path", () => {
  const { tokens } = setup(OLD);
  const ours = JSON.stringify(H());
  test.each([
    ["key order", `{"kid":"${keyId(SECRET)}","alg":"HS256","typ":"JWT"}`, "ok"],
    ["whitespace", `{ "alg": "HS256", "typ": "JWT", "kid": "${keyId(SECRET)}" }`, "ok"],
    ["no typ", `{"alg":"HS256","kid":"${keyId(SECRET)}"}`, "ok"],
    ["escaped alg", ours.replace('"HS256"', '"HS\\u0032\\u00356"'), "ok"],
    ["our bytes plus crit", ours.replace("}", ',"crit":[]}'), "crit"],
    ["our bytes plus jku", ours.replace("}", ',"jku":"http://127.0.0.1/k"}'), "header"],
    ["duplicate alg, last wins", ours.replace("{", '{"alg":"none",'), "ok"],
    ["duplicate alg none last", ours.replace("}", ',"alg":"none"}'), "algorithm"],
    ["trailing garbage", `${ours}x`, "header"],
  ])("%s takes the strict path → %s", (_n, header, expected) => {
    const input = `${b64(header)}.${b64(goodClaims())}`;
    expect(reason(tokens.verify(`${input}.${hmac(SECRET, input)}`))).toBe(expected);
  });

  test("our exact header bytes under another ring key's kid still need that key's MAC", () => {
    const header = b64(H({ kid: keyId(OLD) }));
    const input = `${header}.${b64(goodClaims())}`;
    expect(reason(tokens.verify(`${input}.${hmac(OLD, input)}`))).toBe("ok");
    expect(reason(tokens.verify(`${input}.${hmac(SECRET, input)}`))).toBe("signature");
  });

  test("a signature in any spelling but the canonical one is malformed, a wrong one is signature", () => {
    const input = `${b64(H())}.${b64(goodClaims())}`;
    const sig = hmac(SECRET, input);
    expect(reason(tokens.verify(`${input}.${sig}`))).toBe("ok");
    expect(reason(tokens.verify(`${input}.${sig}=`))).toBe("malformed");
    const flipped = `${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`;
    expect(reason(tokens.verify(`${input}.${flipped}`))).toBe("signature");
    expect(reason(tokens.verify(`${input}.${hmac(OTHER, input)}`))).toBe("signature");
  });
});

describe("pre-absorbed prefix (our header and payload opening are hashed once per key)", () => {
  const { tokens } = setup(OLD);
  const opening = '{"iss":"trading-server","aud":"trading-api","sub":"';
  const prefixOf = (secret: string) =>
    `${b64(H({ kid: keyId(secret) }))}.${b64(opening.slice(0, opening.length - (opening.length % 3)))}`;

  test("tokens we mint start with it, so verification takes the prefix path", () => {
    const { token } = tokens.sign({ sub: "u1", sid: "s1", role: "trader", ver: 3 });
    expect(token.startsWith(prefixOf(SECRET))).toBe(true);
    expect(reason(tokens.verify(token))).toBe("ok");
  });

  test("the MAC still covers every byte: prefix signed by another key, tampered rest, bare prefix", () => {
    const input = `${b64(H())}.${b64(goodClaims())}`;
    expect(input.startsWith(prefixOf(SECRET))).toBe(true);
    expect(reason(tokens.verify(`${input}.${hmac(SECRET, input)}`))).toBe("ok");
    expect(reason(tokens.verify(`${input}.${hmac(OTHER, input)}`))).toBe("signature");
    expect(reason(tokens.verify(`${input}.${hmac(OLD, input)}`))).toBe("signature");
    const admin = `${b64(H())}.${b64(goodClaims({ role: "admin" }))}`;
    expect(admin.startsWith(prefixOf(SECRET))).toBe(true);
    expect(reason(tokens.verify(`${admin}.${hmac(SECRET, input)}`))).toBe("signature");
    const bare = prefixOf(SECRET);
    expect(reason(tokens.verify(`${bare}.${hmac(SECRET, bare)}`))).toBe("claims");
  });

  test("a retired key's prefix needs that key's MAC; another payload order takes the full path", () => {
    const old = `${b64(H({ kid: keyId(OLD) }))}.${b64(goodClaims())}`;
    expect(old.startsWith(prefixOf(OLD))).toBe(true);
    expect(reason(tokens.verify(`${old}.${hmac(OLD, old)}`))).toBe("ok");
    expect(reason(tokens.verify(`${old}.${hmac(SECRET, old)}`))).toBe("signature");
    const { aud, ...rest } = goodClaims();
    const reordered = `${b64(H())}.${b64({ aud, ...rest })}`;
    expect(reordered.startsWith(prefixOf(SECRET))).toBe(false);
    expect(reason(tokens.verify(`${reordered}.${hmac(SECRET, reordered)}`))).toBe("ok");
  });
});
