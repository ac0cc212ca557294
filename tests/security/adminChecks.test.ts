import { describe, expect, test } from "bun:test";
import { parsePasswordHash } from "../../src/security/passwordHash.ts";
import {
  argon2idHash,
  check,
  randomSecret,
  severityOf,
  strongProductionEnv,
  withId,
} from "./support.ts";

/** A passlib-style `$2b$` bcrypt hash (cost 4 keeps the test fast). */
async function bcrypt2b(password: string): Promise<string> {
  const hash = await Bun.password.hash(password, { algorithm: "bcrypt", cost: 4 });
  return `$2b$${hash.slice(4)}`;
}

describe("admin.001 plain ADMIN_PASSWORD", () => {
  test("error in production, warning in staging, info in development", async () => {
    const env = await strongProductionEnv({ ADMIN_PASSWORD: randomSecret() });
    expect(severityOf(await check(env, "production"), "admin.001")).toBe("error");
    expect(severityOf(await check(env, "staging"), "admin.001")).toBe("warning");
    expect(severityOf(await check(env, "development"), "admin.001")).toBe("info");
  });
  test("absent: no finding", async () => {
    expect(
      severityOf(await check(await strongProductionEnv(), "production"), "admin.001"),
    ).toBeNull();
  });
});

describe("admin.005 weak plain password where allowed", () => {
  test("short or known passwords are flagged outside production only", async () => {
    for (const pw of ["admin", "your_dev_password", "Sh0rt!pass"]) {
      const env = await strongProductionEnv({ ADMIN_PASSWORD: pw });
      expect(severityOf(await check(env, "staging"), "admin.005")).toBe("warning");
      expect(severityOf(await check(env, "development"), "admin.005")).toBe("info");
      expect(severityOf(await check(env, "production"), "admin.005")).toBeNull();
    }
  });
  test("a long random passphrase passes", async () => {
    const env = await strongProductionEnv({ ADMIN_PASSWORD: randomSecret(16) });
    expect(severityOf(await check(env, "development"), "admin.005")).toBeNull();
  });
});

describe("admin.002 hash required and well-formed", () => {
  test("missing: error in production and staging, nothing in development", async () => {
    const env = await strongProductionEnv({ ADMIN_PASSWORD_HASH: undefined });
    expect(severityOf(await check(env, "production"), "admin.002")).toBe("error");
    expect(severityOf(await check(env, "staging"), "admin.002")).toBe("error");
    expect(severityOf(await check(env, "development"), "admin.002")).toBeNull();
  });
  test.each([
    "not-a-hash",
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA", // no digest
    "$2x$12$abcdefghijklmnopqrstuv0123456789ABCDEFGHIJKLMNOPQRSTU", // unknown bcrypt variant
    "$2b$12$tooshort",
    "5f4dcc3b5aa765d61d8327deb882cf99", // md5
    // Parameters no hasher accepts: such a hash can never verify.
    "$2b$03$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
    "$2b$32$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
    "$argon2id$v=19$m=7,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    "$argon2id$v=19$m=19456,t=0,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    "$argon2id$v=19$m=19456,t=2,p=0$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    // What the server cannot verify: other argon2 variants, a salt under 8 bytes.
    "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    "$argon2d$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
    // A digest under argon2's minimum of 4 bytes.
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFz",
  ])("malformed %p → error", async (hash) => {
    const env = await strongProductionEnv({ ADMIN_PASSWORD_HASH: hash });
    expect(severityOf(await check(env, "production"), "admin.002")).toBe("error");
    expect(severityOf(await check(env, "development"), "admin.002")).toBe("warning");
  });
  test.each([
    "=19=19456,t=2,p=1", // `. env` of an unquoted argon2id hash
    "b2", // of `$2b$12$…` whose digest starts with a name's letters
    "b2/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", // most bcrypt digests
    "bbash4.abc", // cost 04: `$0` is the shell's name
  ])("what a shell leaves of an unquoted hash (%p) says so", async (mangled) => {
    const env = await strongProductionEnv({ ADMIN_PASSWORD_HASH: mangled });
    const [finding] = withId(await check(env, "production"), "admin.002");
    expect(finding?.message).toContain("a shell expanded its `$` parts");
    expect(finding?.hint).toContain("Single-quote");
  });
  test("a malformed hash with its `$` parts is not taken for a shell's leftovers", async () => {
    const env = await strongProductionEnv({
      ADMIN_PASSWORD_HASH: "$argon2id$v=19$m=7,t=2,p=1$c2FsdA",
    });
    const [finding] = withId(await check(env, "production"), "admin.002");
    expect(finding?.message).toContain("not a well-formed");
  });
  test("argon2id and bcrypt $2a$/$2b$/$2y$ parse", async () => {
    const argon = await argon2idHash("x");
    expect(parsePasswordHash(argon)).toMatchObject({ kind: "argon2" });
    // Stored and compared as is by the server, so a stray newline or space is not trimmed away.
    expect(parsePasswordHash(`${argon}\n`)).toBeUndefined();
    expect(parsePasswordHash(` ${argon}`)).toBeUndefined();
    expect(parsePasswordHash(argon.slice(0, argon.lastIndexOf("$") + 6))).toBeUndefined();
    expect(parsePasswordHash(argon.slice(0, argon.lastIndexOf("$") + 21))).toMatchObject({
      digestBytes: 15,
    });
    expect(parsePasswordHash(argon)).toMatchObject({ kind: "argon2", digestBytes: 32 });
    const b = await bcrypt2b("x");
    for (const prefix of ["$2a$", "$2b$", "$2y$"]) {
      expect(parsePasswordHash(prefix + b.slice(4))).toEqual({ kind: "bcrypt", cost: 4 });
    }
  });
});

describe("admin.003 hash of a known password", () => {
  test("argon2id of TradingSystem2024! is critical in production, error in staging", async () => {
    const env = await strongProductionEnv({
      ADMIN_PASSWORD_HASH: await argon2idHash("TradingSystem2024!"),
    });
    expect(severityOf(await check(env, "production"), "admin.003")).toBe("critical");
    expect(severityOf(await check(env, "staging"), "admin.003")).toBe("error");
    expect(severityOf(await check(env, "development"), "admin.003")).toBe("warning");
  });
  test("passlib-style $2b$ bcrypt of TradingSystem2024! is detected", async () => {
    const hash = await bcrypt2b("TradingSystem2024!");
    expect(hash.startsWith("$2b$04$")).toBe(true);
    expect(await Bun.password.verify("TradingSystem2024!", hash)).toBe(true);
    const env = await strongProductionEnv({ ADMIN_PASSWORD_HASH: hash });
    expect(severityOf(await check(env, "production"), "admin.003")).toBe("critical");
  });
  test("a hash of the account name itself is known", async () => {
    const env = await strongProductionEnv({
      ADMIN_USERNAME: "ops-lead",
      ADMIN_PASSWORD_HASH: await argon2idHash("ops-lead"),
    });
    expect(severityOf(await check(env, "production"), "admin.003")).toBe("critical");
  });
  test("a hash of a random password passes", async () => {
    const env = await strongProductionEnv({
      ADMIN_PASSWORD_HASH: await bcrypt2b(randomSecret(18)),
    });
    expect(severityOf(await check(env, "production"), "admin.003")).toBeNull();
  });
});

test("admin.002: argon2 parameters with leading zeros, which argon2 refuses to verify", async () => {
  const hash =
    "$argon2id$v=19$m=019456,t=2,p=1$6IrSAmp5BnkG5qy0n5wcTg$H/kEbv4L6N2cTEUsEBTDXFcJnENRlSUP3cUKH9QXM9w";
  for (const variant of [hash, hash.replace("t=2", "t=02"), hash.replace("p=1", "p=01")]) {
    const env = await strongProductionEnv({ ADMIN_PASSWORD_HASH: variant });
    expect([variant, severityOf(await check(env, "production"), "admin.002")]).toEqual([
      variant,
      "error",
    ]);
  }
});

describe("admin.008 a hash above the verification caps", () => {
  test("argon2id t=100 or m=1 GiB, bcrypt cost 15: an error everywhere; policy costs pass", async () => {
    const salt = "c2FsdHNhbHRzYWx0"; // 12 bytes
    for (const hash of [
      `$argon2id$v=19$m=19456,t=100,p=1$${salt}$aGFzaGhhc2hoYXNoaGFzaA`,
      `$argon2id$v=19$m=1048576,t=2,p=1$${salt}$aGFzaGhhc2hoYXNoaGFzaA`,
      "$2b$15$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
    ]) {
      const env = await strongProductionEnv({ ADMIN_PASSWORD_HASH: hash });
      for (const environment of ["production", "staging", "development"] as const) {
        expect([hash, severityOf(await check(env, environment), "admin.008")]).toEqual([
          hash,
          "error",
        ]);
      }
    }
    const policy = await strongProductionEnv();
    expect(severityOf(await check(policy, "production"), "admin.008")).toBeNull();
  });
});

describe("admin.007 a name a new account may not have", () => {
  test.each(["\u0430lice", "ops\u200blead", "ｏｐｓ", " ops-lead"])(
    "%p warns in every environment (serve refuses to create it)",
    async (name) => {
      const env = await strongProductionEnv({ ADMIN_USERNAME: name });
      for (const environment of ["production", "staging", "development"] as const) {
        expect(severityOf(await check(env, environment), "admin.007")).toBe("warning");
      }
    },
  );
  test("a plain name, or none, passes", async () => {
    expect(
      severityOf(await check(await strongProductionEnv(), "production"), "admin.007"),
    ).toBeNull();
    const unset = await strongProductionEnv({ ADMIN_USERNAME: undefined });
    expect(severityOf(await check(unset, "production"), "admin.007")).toBeNull();
  });
});

describe("admin.004 default account names", () => {
  test.each(["admin", "Root", "sa", "administrator"])(
    "%p warns in production and staging",
    async (name) => {
      const env = await strongProductionEnv({ ADMIN_USERNAME: name });
      expect(severityOf(await check(env, "production"), "admin.004")).toBe("warning");
      expect(severityOf(await check(env, "staging"), "admin.004")).toBe("warning");
      expect(severityOf(await check(env, "development"), "admin.004")).toBeNull();
    },
  );
  test("unset means the default admin, which warns; a personal name passes", async () => {
    const unset = await strongProductionEnv({ ADMIN_USERNAME: undefined });
    expect(severityOf(await check(unset, "production"), "admin.004")).toBe("warning");
    expect(
      severityOf(await check(await strongProductionEnv(), "production"), "admin.004"),
    ).toBeNull();
  });
});

describe("admin.006 hash cost", () => {
  test("bcrypt cost 4 and argon2 below m=19456 warn; the product's parameters pass", async () => {
    const cheapBcrypt = await strongProductionEnv({
      ADMIN_PASSWORD_HASH: await bcrypt2b(randomSecret()),
    });
    expect(severityOf(await check(cheapBcrypt, "production"), "admin.006")).toBe("warning");
    const { hash } = await import("@node-rs/argon2");
    const cheapArgon = await hash(randomSecret(), { memoryCost: 4096, timeCost: 1 });
    const env = await strongProductionEnv({ ADMIN_PASSWORD_HASH: cheapArgon });
    expect(severityOf(await check(env, "production"), "admin.006")).toBe("warning");
    expect(
      severityOf(await check(await strongProductionEnv(), "production"), "admin.006"),
    ).toBeNull();
  });
  test("an argon2id digest under 16 bytes warns (probably cut off) but is not refused: one made so verifies", async () => {
    const { hash } = await import("@node-rs/argon2");
    const password = randomSecret();
    const short = await hash(password, { memoryCost: 19_456, timeCost: 2, outputLen: 12 });
    expect(await Bun.password.verify(password, short)).toBe(true);
    const env = await strongProductionEnv({ ADMIN_PASSWORD_HASH: short });
    const findings = await check(env, "production");
    expect(severityOf(findings, "admin.002")).toBeNull();
    expect(severityOf(findings, "admin.006")).toBe("warning");
    expect(parsePasswordHash(short)).toMatchObject({ kind: "argon2", digestBytes: 12 });
    // The same hash cut off in copying: also only a warning, as the string cannot tell.
    const cut = short.slice(0, -4);
    expect(await Bun.password.verify(password, cut).catch(() => false)).toBe(false);
    expect(
      severityOf(await check({ ...env, ADMIN_PASSWORD_HASH: cut }, "production"), "admin.006"),
    ).toBe("warning");
  });
});
