import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import {
  createLoginThrottle,
  createMemoryStore,
  loginAccountKey,
  loginBudgetsFromConfig,
  normalizeUsername,
} from "../../src/ratelimit/index.ts";

const WINDOW = 15 * 60_000;

function setup() {
  const clock = new ManualClock();
  const store = createMemoryStore({ clock });
  const throttle = createLoginThrottle({
    store,
    perAccount: { limit: 5, windowMs: WINDOW },
    perIp: { limit: 20, windowMs: WINDOW },
  });
  return { clock, store, throttle };
}

describe("login throttle", () => {
  test("check consumes nothing; the 6th attempt after 5 failures is refused", async () => {
    const { throttle } = setup();
    for (let i = 0; i < 10; i++)
      expect((await throttle.check("alice", "1.1.1.1")).allowed).toBe(true);
    for (let i = 0; i < 5; i++) {
      expect((await throttle.check("alice", "1.1.1.1")).allowed).toBe(true);
      await throttle.recordFailure("alice", "1.1.1.1");
    }
    const refused = await throttle.check("alice", "2.2.2.2");
    expect(refused).toMatchObject({ allowed: false, blockedBy: "login-account" });
    expect(refused.retryAfterMs).toBe(WINDOW / 5); // one failure refills every 3 min
  });

  test("usernames are case- and normalization-insensitive; unknown ones count the same", async () => {
    const { throttle } = setup();
    expect(normalizeUsername("Ä")).toBe(normalizeUsername("a\u0308".toUpperCase()));
    expect(loginAccountKey("ALICE")).toBe(loginAccountKey("alice"));
    expect(loginAccountKey("alice")).not.toContain("alice");
    for (let i = 0; i < 5; i++) await throttle.recordFailure("ALICE", `10.0.0.${i}`);
    expect((await throttle.check("alice", "10.0.1.1")).allowed).toBe(false);
    for (let i = 0; i < 5; i++) await throttle.recordFailure("nobody-such", `10.0.2.${i}`);
    expect((await throttle.check("Nobody-Such", "10.0.3.1")).allowed).toBe(false);
  });

  test("per-IP budget across accounts; success resets only the account", async () => {
    const { throttle } = setup();
    for (let i = 0; i < 20; i++) await throttle.recordFailure(`user${i}`, "9.9.9.9");
    const refused = await throttle.check("fresh", "9.9.9.9");
    expect(refused).toMatchObject({ allowed: false, blockedBy: "login-ip" });
    expect((await throttle.check("fresh", "9.9.9.10")).allowed).toBe(true);

    for (let i = 0; i < 4; i++) await throttle.recordFailure("bob", `8.8.8.${i}`);
    await throttle.recordSuccess("BOB");
    for (let i = 0; i < 4; i++) await throttle.recordFailure("bob", `8.8.9.${i}`);
    expect((await throttle.check("bob", "8.8.10.1")).allowed).toBe(true);
  });

  test("IPv6 clients in one /56 share a budget", async () => {
    const { throttle } = setup();
    for (let i = 0; i < 20; i++)
      await throttle.recordFailure(`u${i}`, `2001:db8:0:ab${i.toString(16).padStart(2, "0")}::1`);
    expect((await throttle.check("x", "2001:db8:0:abff::99")).allowed).toBe(false);
    expect((await throttle.check("x", "2001:db8:0:ac00::1")).allowed).toBe(true);
  });

  test("budgets come from the LOGIN_* variables", () => {
    expect(
      loginBudgetsFromConfig({
        LOGIN_MAX_FAILURES_PER_ACCOUNT: 5,
        LOGIN_MAX_FAILURES_PER_IP: 20,
        LOGIN_FAILURE_WINDOW: WINDOW,
      }),
    ).toEqual({
      perAccount: { limit: 5, windowMs: WINDOW },
      perIp: { limit: 20, windowMs: WINDOW },
    });
  });
});
