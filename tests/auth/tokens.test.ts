/**
 * The access-token verifier (reference/auth.md §1), signing side: minted
 * tokens verify, any HS256 tool can mint them, the kid and jti, the key ring
 * during rotation, and the pre-absorbed prefix our tokens take. The attacks
 * are in tokenTampering.test.ts, claim and time rules in tokenValidity.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { createKeyRing, keyId } from "../../src/auth/tokens/index.ts";
import {
  b64,
  goodClaims,
  H,
  hmac,
  mint,
  OLD,
  OTHER,
  reason,
  SECRET,
  setup,
  T0,
} from "./support/tokenFixtures.ts";

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
