/**
 * Equal login cost whatever is stored: cost classes of hashes, the decoys a
 * login verifies, and — on both databases — that an unknown user, a current
 * user and a legacy-bcrypt admin take comparable time to fail a login.
 */
import { beforeEach, describe, expect, test } from "bun:test";
import {
  CLASS_PREFIX_LENGTH,
  costClass,
  decoysFor,
  POLICY_PREFIX,
} from "../../src/auth/costClasses.ts";
import { dummyHash, hashPassword, hashWithParameters } from "../../src/auth/passwords.ts";
import { loginAccountKey } from "../../src/ratelimit/loginThrottle.ts";
import { describeEachDatabase } from "../support/databases.ts";
import { type AuthHarness, buildAuthHarness, T0 } from "./support/authApp.ts";

const BCRYPT_10 = "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

describe("costClass", () => {
  test("names the parameters that set a hash's cost", async () => {
    expect(costClass(await hashPassword("x"))).toBe("policy");
    expect(costClass(BCRYPT_10)).toBe("bcrypt:10");
    expect(costClass("$2y$12$abc")).toBe("bcrypt:12");
    expect(costClass("$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA")).toBe(
      "argon2id:m=65536,t=3,p=4",
    );
    // A prefix is enough: that is all the store returns.
    expect(costClass(BCRYPT_10.slice(0, CLASS_PREFIX_LENGTH))).toBe("bcrypt:10");
    for (const junk of ["", "plaintext", "$1$md5$x", "$argon2i$v=19$m=1,t=1,p=1$a$b"]) {
      expect(costClass(junk)).toBe("policy");
    }
  });

  test("the policy prefix is what hashPassword writes", async () => {
    expect((await hashPassword("x")).startsWith(POLICY_PREFIX)).toBe(true);
  });
});

describe("decoysFor", () => {
  test("nothing while every stored hash is at the policy", async () => {
    expect(await decoysFor(await dummyHash(), [])).toEqual([]);
  });

  test("one decoy per other class in use, the target's own excepted", async () => {
    const policyTarget = await decoysFor(await dummyHash(), [BCRYPT_10]);
    expect(policyTarget.map(costClass)).toEqual(["bcrypt:10"]);
    const bcryptTarget = await decoysFor(BCRYPT_10, [BCRYPT_10]);
    expect(bcryptTarget).toEqual([await dummyHash()]);
    const both = await decoysFor(await dummyHash(), [BCRYPT_10, "$2b$04$x", BCRYPT_10]);
    expect(both.map(costClass).sort()).toEqual(["bcrypt:04", "bcrypt:10"]);
    // An unverifiable target is checked against the dummy, so it needs the bcrypt decoy.
    expect((await decoysFor("garbage", [BCRYPT_10])).map(costClass)).toEqual(["bcrypt:10"]);
  });

  test("classes the hashers cannot build, or would make absurdly expensive, never fail a login", async () => {
    const salt = "N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
    const dummy = await dummyHash();
    // bcrypt accepts costs 4–31: 03 and 32 are clamped into what can be built, 32 down to the cap.
    const low = await decoysFor(dummy, [`$2b$03$${salt}`]);
    expect(low.map(costClass)).toEqual(["bcrypt:04"]);
    const high = await decoysFor(dummy, [`$2b$32$${salt}`]);
    expect(high.map(costClass)).toEqual(["bcrypt:14"]);
    // argon2 needs m >= 8 p; a gigabyte typo is capped at 256 MiB.
    const tiny = await decoysFor(dummy, ["$argon2id$v=19$m=7,t=1,p=1$c2FsdA$aGFzaA"]);
    expect(tiny.map(costClass)).toEqual(["argon2id:m=8,t=1,p=1"]);
    const huge = decoysFor(dummy, ["$argon2id$v=19$m=4194304,t=1,p=1$c2FsdA$aGFzaA"]);
    expect((await huge).map(costClass)).toEqual(["argon2id:m=262144,t=1,p=1"]);
  });

  test("decoys are made once per class", async () => {
    const [a] = await decoysFor(await dummyHash(), [BCRYPT_10]);
    const [b] = await decoysFor(await dummyHash(), [BCRYPT_10]);
    expect(a).toBe(b as string);
  });
});

describeEachDatabase(
  "login cost with a legacy bcrypt admin hash",
  (t) => {
    let h: AuthHarness;
    beforeEach(async () => {
      // bcrypt cost 11 (~100+ ms) is several times an argon2id verification at the policy.
      const legacy = await hashWithParameters("the-admin-password", { kind: "bcrypt", cost: 11 });
      h = await buildAuthHarness(t.db(), {
        env: { ADMIN_PASSWORD: "", ADMIN_PASSWORD_HASH: legacy },
      });
      await h.auth.users.create(
        { username: "trader", passwordHash: await hashPassword("trader-password"), role: "trader" },
        T0,
      );
    });

    test("the store reports the off-policy hash by its prefix only", async () => {
      const prefixes = await h.auth.users.offPolicyHashPrefixes(POLICY_PREFIX, CLASS_PREFIX_LENGTH);
      expect(prefixes).toHaveLength(1);
      expect(costClass(prefixes[0] as string)).toBe("bcrypt:11");
      expect((prefixes[0] as string).length).toBe(CLASS_PREFIX_LENGTH);
    });

    test("an unknown user, a current user and the bcrypt admin fail in comparable time", async () => {
      let n = 0;
      const timed = async (username: string) => {
        const start = performance.now();
        const res = await h.post(
          "/v1/auth/login",
          { username, password: "wrong" },
          { ip: `192.0.2.${n++ % 200}` },
        );
        expect(res.status).toBe(401);
        await h.store.reset([loginAccountKey(username)]); // the account budget, not the timing
        return performance.now() - start;
      };
      const samples: Record<string, number[]> = { admin: [], trader: [], ghost: [] };
      for (let i = 0; i < 3; i++) {
        for (const name of Object.keys(samples)) samples[name]?.push(await timed(name));
      }
      const median = (xs: number[] = []) => [...xs].sort((a, b) => a - b)[1] as number;
      const admin = median(samples.admin);
      // Without decoys an unknown or argon2id user costs ~0.2 of the bcrypt admin here.
      for (const other of [median(samples.trader), median(samples.ghost)]) {
        expect(other / admin).toBeGreaterThan(0.6);
        expect(other / admin).toBeLessThan(1.7);
      }
    });
  },
  { fresh: "test" },
);
