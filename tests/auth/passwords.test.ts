/**
 * Password hashing: argon2id policy, legacy bcrypt from libxcrypt/passlib
 * (fixtures below were made by Python's crypt module, i.e. libxcrypt, not by
 * Bun), the 72-byte truncation, rehash decisions and the hash limiter.
 */
import { describe, expect, test } from "bun:test";
import { parseOptions } from "@node-rs/argon2";
import { createHashLimiter, isHashCapacityError } from "../../src/auth/hashLimiter.ts";
import {
  dummyHash,
  hashKind,
  hashPassword,
  needsRehash,
  rehashKeepsPassword,
  verifyPassword,
} from "../../src/auth/passwords.ts";

/** libxcrypt `$2b$` hashes (python3 crypt.crypt with METHOD_BLOWFISH). */
const LEGACY = {
  short: {
    password: "correct horse battery staple",
    hash: "$2b$04$arGaVv.XvVifA85qDO/JSuAbK4JgEK2oIUHj3UrW0DBZTA7yWNxXO",
  },
  // 40 × "é" (80 bytes) + a tail: libxcrypt hashed only the first 72 bytes.
  long: {
    password: `${"é".repeat(40)}tail-that-is-ignored`,
    hash: "$2b$04$Q0BQGrpwprzCYsFSaag8EeXsVx40sUQAjY7rcT/cDcpV7pqUjT3Sm",
  },
  // "a" + 40 × "é": byte 72 falls in the middle of a character.
  odd: {
    password: `a${"é".repeat(40)}`,
    hash: "$2b$04$.QtKbsQGOTqbGVCfcOZ7B.qyD8TXeN5p5z32f1A.47cApHQo1dVL6",
  },
  cost12: {
    password: "S3cure-Admin-Passw0rd!",
    hash: "$2b$12$f2CX6mL8Rn3jMIfBTlf3XeoSY3Mo3.JVwDwOy1viD6yBEad4RpyMG",
  },
};

describe("argon2id", () => {
  test("hashes with m=19456 t=2 p=1 and verifies", async () => {
    const h = await hashPassword("pässwörd ✓");
    expect(h.startsWith("$argon2id$v=19$m=19456,t=2,p=1$")).toBe(true);
    expect(parseOptions(h)).toMatchObject({
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
      outputLen: 32,
    });
    expect(await verifyPassword(h, "pässwörd ✓")).toBe(true);
    expect(await verifyPassword(h, "pässwörd ✗")).toBe(false);
    expect(needsRehash(h)).toBe(false);
  });

  test("verifies exactly as received: no normalization, no trimming", async () => {
    const h = await hashPassword("caf\u00e9 ");
    expect(await verifyPassword(h, "cafe\u0301 ")).toBe(false);
    expect(await verifyPassword(h, "caf\u00e9")).toBe(false);
  });

  test("weaker argon2id parameters need a rehash", () => {
    const weak =
      "$argon2id$v=19$m=4096,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG";
    expect(hashKind(weak)).toBe("argon2id");
    expect(needsRehash(weak)).toBe(true);
  });

  test("the dummy hash is made once, with the policy parameters", async () => {
    const a = await dummyHash();
    expect(await dummyHash()).toBe(a);
    expect(needsRehash(a)).toBe(false);
  });
});

describe("legacy bcrypt (passlib / libxcrypt)", () => {
  test.each(Object.entries(LEGACY))("%s verifies", async (_n, { password, hash }) => {
    expect(hashKind(hash)).toBe("bcrypt");
    expect(await verifyPassword(hash, password)).toBe(true);
    expect(await verifyPassword(hash, `${password}x`.slice(0, 10))).toBe(false);
    expect(needsRehash(hash)).toBe(true);
  });

  test("only the first 72 bytes count, as in libxcrypt", async () => {
    expect(await verifyPassword(LEGACY.long.hash, `${"é".repeat(36)}anything else`)).toBe(true);
    expect(await verifyPassword(LEGACY.long.hash, `${"é".repeat(35)}e`)).toBe(false);
  });

  test("$2a$ and $2y$ prefixes are accepted", async () => {
    for (const p of ["$2a$", "$2y$"]) {
      expect(
        await verifyPassword(LEGACY.short.hash.replace("$2b$", p), LEGACY.short.password),
      ).toBe(true);
    }
  });
});

test("a bcrypt password of 72 bytes or more is not rehashed: bcrypt never saw a tail", () => {
  const bcrypt = "$2b$04$Q0BQGrpwprzCYsFSaag8EeXsVx40sUQAjY7rcT/cDcpV7pqUjT3Sm";
  expect(rehashKeepsPassword(bcrypt, "x".repeat(71))).toBe(true);
  // 72 bytes verify against the hash of any longer password starting with them.
  expect(rehashKeepsPassword(bcrypt, "x".repeat(72))).toBe(false);
  expect(rehashKeepsPassword(bcrypt, "x".repeat(73))).toBe(false);
  expect(rehashKeepsPassword(bcrypt, `${"é".repeat(35)}x`)).toBe(true); // 71 bytes
  expect(rehashKeepsPassword(bcrypt, "é".repeat(36))).toBe(false); // 72 bytes, 36 chars
  expect(rehashKeepsPassword("$argon2id$v=19$m=1,t=1,p=1$abc$def", "x".repeat(500))).toBe(true);
});

describe("malformed hashes never verify and never throw", () => {
  test.each([
    "",
    "plain",
    "$2b$04$short",
    "$argon2i$v=19$m=19456,t=2,p=1$abc$def",
    "$argon2id$v=19$m=1,t=1,p=1$$",
    "$1$abc$def",
  ])("%p", async (h) => {
    expect(await verifyPassword(h, "x")).toBe(false);
    expect(needsRehash(h)).toBe(true);
  });
});

test("a hash above the verification caps is never run: refused at once, nothing allocated", async () => {
  const salt = "6IrSAmp5BnkG5qy0n5wcTg";
  const digest = "H/kEbv4L6N2cTEUsEBTDXFcJnENRlSUP3cUKH9QXM9w";
  const before = process.memoryUsage().rss;
  const started = performance.now();
  for (const hash of [
    `$argon2id$v=19$m=4294967295,t=2,p=1$${salt}$${digest}`,
    `$argon2id$v=19$m=19456,t=4000000,p=1$${salt}$${digest}`,
    "$2b$31$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
  ]) {
    expect(await verifyPassword(hash, "anything")).toBe(false);
  }
  // Run, the first would take gigabytes, the others hours; refused, they take nothing.
  expect(performance.now() - started).toBeLessThan(1_000);
  expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
});

describe("hash limiter", () => {
  test("caps concurrency, queues up to the bound, rejects beyond", async () => {
    const limiter = createHashLimiter({ maxConcurrent: 2, maxQueue: 1 });
    const gates: Array<() => void> = [];
    let peak = 0;
    const job = () =>
      limiter.run(async () => {
        peak = Math.max(peak, limiter.stats().running);
        await new Promise<void>((r) => gates.push(r));
        return "done";
      });
    const running = [job(), job(), job()];
    await Promise.resolve();
    expect(limiter.stats()).toEqual({ running: 2, queued: 1 });
    const overflow = await job().catch((e: unknown) => e);
    expect(isHashCapacityError(overflow)).toBe(true);
    for (let i = 0; i < 3; i++) {
      await Bun.sleep(0);
      gates.shift()?.();
    }
    expect(await Promise.all(running)).toEqual(["done", "done", "done"]);
    expect(peak).toBe(2);
    expect(limiter.stats()).toEqual({ running: 0, queued: 0 });
  });

  test("a failing job frees its slot", async () => {
    const limiter = createHashLimiter({ maxConcurrent: 1, maxQueue: 0 });
    await expect(limiter.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow(
      "boom",
    );
    expect(await limiter.run(async () => 1)).toBe(1);
  });
});
