/**
 * The attack catalogue against the access-token verifier (reference/auth.md §1):
 * algorithm games, header tricks, tampering, non-canonical encodings, size,
 * and header spellings other than the one we mint.
 */
import { describe, expect, test } from "bun:test";
import { keyId } from "../../src/auth/tokens/index.ts";
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
} from "./support/tokenFixtures.ts";

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
