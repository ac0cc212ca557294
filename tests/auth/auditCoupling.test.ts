/**
 * Where an audit event and its change meet: found by a review of the
 * "events commit with their change" work. A user is created with its event or
 * not at all; a reuse revocation stands even when its event cannot be
 * written; a rehash on login never undoes a password change made meanwhile.
 */
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuditLog } from "../../src/audit/index.ts";
import type { AuthAuditEvent } from "../../src/auth/auditTrail.ts";
import { createHashLimiter } from "../../src/auth/hashLimiter.ts";
import { createAuthService, recordTo } from "../../src/auth/index.ts";
import { authenticate } from "../../src/auth/login.ts";
import { hashPassword, verifyPassword } from "../../src/auth/passwords.ts";
import { createUserStore } from "../../src/auth/users.ts";
import { ManualClock } from "../../src/clock/index.ts";
import { loadConfig } from "../../src/config/index.ts";
import { createLoginThrottle, createMemoryStore } from "../../src/ratelimit/index.ts";
import { migrate, openDatabase } from "../../src/storage/index.ts";
import { ADMIN_PASSWORD, buildAuthHarness, T0 } from "./support/authApp.ts";

const freshDb = async () => {
  const db = await openDatabase(
    `sqlite://${join(mkdtempSync(join(tmpdir(), "coupling-")), "t.db")}`,
  );
  await migrate(db);
  return db;
};

test("POST /v1/admin/users: no event, no user", async () => {
  const db = await freshDb();
  try {
    const h = await buildAuthHarness(db);
    const admin = await h.login("admin", ADMIN_PASSWORD);
    h.auth.audit = async () => {
      throw new Error("audit log unavailable");
    };
    const res = await h.post(
      "/v1/admin/users",
      { username: "bob", password: "a-long-password-1", role: "viewer" },
      { token: admin.access_token },
    );
    expect(res.status).toBe(500);
    expect(await h.auth.users.findByUsername("bob")).toBeUndefined();
  } finally {
    await db.close();
  }
});

test("a reuse revocation stands when its event cannot be written, and a later replay reports it", async () => {
  const db = await freshDb();
  try {
    const loaded = loadConfig(
      { SECURITY_SECRET_KEY: "x".repeat(48), ADMIN_USERNAME: "admin", ADMIN_PASSWORD },
      "development",
    );
    if (!loaded.ok) throw new Error("config");
    const clock = new ManualClock(T0);
    const log = createAuditLog(db, { clock });
    let auditDown = false;
    const events: AuthAuditEvent[] = [];
    const auth = createAuthService({
      db,
      config: loaded.config,
      clock,
      throttle: createLoginThrottle({ store: createMemoryStore({ clock }) }),
      audit: async (event) => {
        if (auditDown) throw new Error("audit log unavailable");
        await recordTo(log)(event);
        events.push(event);
      },
    });
    const password = "carol-password-1";
    await auth.users.create(
      { username: "carol", passwordHash: await hashPassword(password), role: "viewer" },
      T0,
    );
    const origin = { ip: "192.0.2.9", requestId: "r" };
    const first = await auth.login("carol", password, origin);
    const second = await auth.refresh(first.refresh_token, origin);
    clock.advance(60_000); // past the reuse grace
    auditDown = true;
    expect(await auth.refresh(first.refresh_token, origin).catch((e: Error) => e.message)).toBe(
      "The refresh token is invalid or expired.",
    );
    auditDown = false;
    // The thief's newer token is dead: the revocation committed without its event.
    expect(
      await auth.refresh(second.refresh_token, origin).then(
        () => "ok",
        () => "refused",
      ),
    ).toBe("refused");
    // The event was not written, so the next replay reports the reuse.
    await auth.refresh(first.refresh_token, origin).catch(() => {});
    expect(events.filter((e) => e.type === "authn_token_reuse")).toHaveLength(1);
    expect(await log.verify()).toMatchObject({ ok: true });
  } finally {
    await db.close();
  }
});

test("a rehash on login never undoes a password change that committed meanwhile", async () => {
  const db = await freshDb();
  try {
    const users = createUserStore(db);
    const legacy = await Bun.password.hash("old-password-123", { algorithm: "bcrypt", cost: 4 });
    const alice = await users.create(
      { username: "alice", passwordHash: legacy, role: "trader" },
      1,
    );
    const racing = {
      ...users,
      // The login's rehash write; just before it, a password change commits (its own
      // compare-and-set against the version it checked).
      async setPasswordHash(...args: Parameters<typeof users.setPasswordHash>) {
        const now = await users.findById(alice.id);
        const newHash = await hashPassword("new-password-456");
        expect(await users.setPasswordHash(alice.id, newHash, true, 2, now?.tokenVersion)).toBe(
          true,
        );
        return users.setPasswordHash(...args);
      },
    } as typeof users;
    await authenticate(
      {
        users: racing,
        throttle: createLoginThrottle({ store: createMemoryStore() }),
        hasher: createHashLimiter({ maxConcurrent: 2, maxQueue: 10 }),
        audit: async () => {},
        now: () => 3,
      },
      "alice",
      "old-password-123",
      { ip: "192.0.2.1", requestId: "r" },
    );
    const after = await users.findById(alice.id);
    expect(await verifyPassword(after?.passwordHash as string, "new-password-456")).toBe(true);
    expect(await verifyPassword(after?.passwordHash as string, "old-password-123")).toBe(false);
  } finally {
    await db.close();
  }
});
