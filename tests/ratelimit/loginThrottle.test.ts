import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/clock/index.ts";
import { StoreUnavailableError } from "../../src/ratelimit/errors.ts";
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
  test("check consumes nothing; each admission is charged; the 6th is refused", async () => {
    const { throttle } = setup();
    for (let i = 0; i < 10; i++)
      expect((await throttle.check("alice", "1.1.1.1")).allowed).toBe(true);
    const exhausted: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const admission = await throttle.admit("alice", "1.1.1.1");
      expect(admission.allowed).toBe(true);
      exhausted.push(admission.exhausted);
    }
    // Only the attempt that spent the last unit starts a lockout.
    expect(exhausted).toEqual([false, false, false, false, true]);
    const refused = await throttle.admit("alice", "2.2.2.2");
    expect(refused).toMatchObject({ allowed: false, blockedBy: "login-account", exhausted: false });
    expect(refused.retryAfterMs).toBe(WINDOW / 5); // one failure refills every 3 min
    expect((await throttle.check("alice", "2.2.2.2")).allowed).toBe(false);
  });

  test("concurrent admissions are charged atomically: exactly the budget gets through", async () => {
    const { throttle } = setup();
    const all = await Promise.all(
      Array.from({ length: 30 }, (_, i) => throttle.admit("carol", `10.9.0.${i}`)),
    );
    expect(all.filter((a) => a.allowed)).toHaveLength(5);
    expect(all.filter((a) => a.exhausted)).toHaveLength(1);
  });

  test("usernames are case- and normalization-insensitive; unknown ones count the same", async () => {
    const { throttle } = setup();
    expect(normalizeUsername("Ä")).toBe(normalizeUsername("a\u0308".toUpperCase()));
    expect(loginAccountKey("ALICE")).toBe(loginAccountKey("alice"));
    expect(loginAccountKey("alice")).not.toContain("alice");
    for (let i = 0; i < 5; i++) await throttle.admit("ALICE", `10.0.0.${i}`);
    expect((await throttle.check("alice", "10.0.1.1")).allowed).toBe(false);
    for (let i = 0; i < 5; i++) await throttle.admit("nobody-such", `10.0.2.${i}`);
    expect((await throttle.check("Nobody-Such", "10.0.3.1")).allowed).toBe(false);
  });

  test("per-IP budget across accounts; success forgets the account and refunds the IP", async () => {
    const { throttle } = setup();
    for (let i = 0; i < 20; i++) await throttle.admit(`user${i}`, "9.9.9.9");
    const refused = await throttle.admit("fresh", "9.9.9.9");
    expect(refused).toMatchObject({ allowed: false, blockedBy: "login-ip" });
    expect((await throttle.check("fresh", "9.9.9.10")).allowed).toBe(true);

    for (let i = 0; i < 4; i++) await throttle.admit("bob", `8.8.8.${i}`);
    await throttle.admit("BOB", "7.7.7.7"); // the right password, settled below
    await throttle.succeeded("BOB", "7.7.7.7");
    for (let i = 0; i < 4; i++) await throttle.admit("bob", `8.8.9.${i}`);
    expect((await throttle.check("bob", "8.8.10.1")).allowed).toBe(true);
    // 19 logins from one address, all right: the IP budget is untouched.
    for (let i = 0; i < 19; i++) {
      expect((await throttle.admit(`staff${i}`, "6.6.6.6")).allowed).toBe(true);
      await throttle.succeeded(`staff${i}`, "6.6.6.6");
    }
    for (let i = 0; i < 20; i++) await throttle.admit(`guess${i}`, "6.6.6.6");
    expect((await throttle.check("x", "6.6.6.6")).allowed).toBe(false);
  });

  test("a reset the store refuses: the right password's unit comes back, the address's only once", async () => {
    const { store } = setup();
    const refusing = {
      ...store,
      reset: async () => {
        throw new StoreUnavailableError("command_error"); // an ACL without DEL, say
      },
    };
    const throttle = createLoginThrottle({
      store: refusing,
      perAccount: { limit: 5, windowMs: WINDOW },
      perIp: { limit: 20, windowMs: WINDOW },
    });
    // Right passwords for the owner: each fails to reset, none counts toward the lockout.
    for (let i = 0; i < 6; i++) {
      expect((await throttle.admit("owner", "5.5.5.5")).allowed).toBe(true);
      await expect(throttle.succeeded("owner", "5.5.5.5")).rejects.toThrow();
    }
    expect((await throttle.check("owner", "5.5.5.6")).allowed).toBe(true);
    // One address alternating wrong guesses with its own good logins stays within its budget.
    let guesses = 0;
    for (let i = 0; i < 40; i++) {
      if (!(await throttle.admit(`victim${i}`, "4.4.4.4")).allowed) break;
      guesses++;
      if ((await throttle.admit("own-account", "4.4.4.4")).allowed) {
        await throttle.succeeded("own-account", "4.4.4.4").catch(() => {});
      }
    }
    expect(guesses).toBe(20);
  });

  test("forgive clears the account's lockout, whatever the spelling, and leaves the IP's alone", async () => {
    const { throttle } = setup();
    for (let i = 0; i < 5; i++) await throttle.admit("erin", "4.4.4.4");
    for (let i = 0; i < 15; i++) await throttle.admit(`other${i}`, "4.4.4.4");
    expect((await throttle.check("erin", "4.4.4.5")).allowed).toBe(false);
    await throttle.forgive("ERIN");
    expect((await throttle.check("erin", "4.4.4.5")).allowed).toBe(true);
    expect(await throttle.check("anyone", "4.4.4.4")).toMatchObject({
      allowed: false,
      blockedBy: "login-ip",
    });
  });

  test("refund gives both units back: an attempt that never checked a password costs nothing", async () => {
    const { throttle } = setup();
    for (let i = 0; i < 50; i++) {
      expect((await throttle.admit("dave", "5.5.5.5")).allowed).toBe(true);
      await throttle.refund("dave", "5.5.5.5");
    }
    const last = await throttle.admit("dave", "5.5.5.5");
    expect(last).toMatchObject({ allowed: true, exhausted: false });
  });

  test("IPv6 clients in one /56 share a budget", async () => {
    const { throttle } = setup();
    for (let i = 0; i < 20; i++)
      await throttle.admit(`u${i}`, `2001:db8:0:ab${i.toString(16).padStart(2, "0")}::1`);
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
