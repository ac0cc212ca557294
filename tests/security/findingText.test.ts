/** Finding text is one line; only text longer than any check writes is cut, at a word's end. */
import { expect, test } from "bun:test";
import { FindingList } from "../../src/security/types.ts";
import { check, quickEnv, randomSecret } from "./support.ts";

const levels = "W/W/W" as const;

test("a long message stays whole; whitespace collapses to one line", () => {
  const list = new FindingList("production");
  const message = `${"word ".repeat(50)}end`;
  list.add({
    id: "x.001",
    levels,
    variable: null,
    message: message.replace(/ /g, "\n "),
    hint: null,
  });
  expect(list.findings[0]?.message).toBe(message);
});

test("text beyond the bound is cut at a word's end, with an ellipsis", () => {
  const list = new FindingList("production");
  list.add({ id: "x.002", levels, variable: null, message: "quoted ".repeat(100), hint: null });
  const cut = list.findings[0]?.message ?? "";
  expect(cut.length).toBeLessThanOrEqual(300);
  expect(cut).toMatch(/^(quoted )*quoted…$/);
});

test("the checks' longest messages and hints are never cut", async () => {
  const keys = Array.from({ length: 3 }, () => randomSecret()).join(",");
  const envs = [
    { SECURITY_SECRET_KEY_PREVIOUS: keys }, // secret.007
    { ADMIN_PASSWORD_HASH: "$2b$15$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy" }, // admin.008
    { ADMIN_PASSWORD_HASH: "=19=19456,t=2,p=1" }, // admin.002, shell-expanded
    { DATABASE_URL: "postgres://u:p@db.example.com/t?sslmode=verify-full&sslrootcert=/ca.pem" },
    { REDIS_URL: "redis://:pw@redis.example.com:6379/16" }, // redis.006
    { PROVIDER_ATTEMPT_TIMEOUT: "10s", PROVIDER_TOTAL_TIMEOUT: "5s" }, // env.008
    { NODE_TLS_REJECT_UNAUTHORIZED: "0", TRUST_PROXY: "xff:9" },
  ];
  for (const extra of envs) {
    const report = await check(await quickEnv(extra), "production");
    for (const f of report) {
      expect([f.id, f.message.endsWith("…"), f.hint?.endsWith("…") ?? false]).toEqual([
        f.id,
        false,
        false,
      ]);
    }
  }
});
