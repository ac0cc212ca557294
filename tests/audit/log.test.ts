import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import {
  AUDIT_EVENT_TYPES,
  type AuditLog,
  canonicalJson,
  createAuditLog,
  GENESIS_HASH,
  hashRecord,
  isAuditError,
  toAuditEventJson,
} from "../../src/audit/index.ts";
import { ManualClock } from "../../src/clock/index.ts";
import { describeEachDatabase } from "../support/databases.ts";

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 6);

describeEachDatabase(
  "audit log",
  (t) => {
    let clock: ManualClock;
    let audit: AuditLog;
    const setUp = () => {
      clock = new ManualClock(T0);
      audit = createAuditLog(t.db(), { clock });
    };

    test("appends chain: gapless seq, prev_hash links, hash over the canonical encoding", async () => {
      setUp();
      const a = await audit.append({
        type: "authn_login_success",
        outcome: "success",
        actor: "u1",
        target: "s1",
        ip: "203.0.113.9",
        userAgent: "curl/8",
        requestId: "r1",
        details: { z: 1, a: { y: true, b: [2, "x"] } },
      });
      clock.advance(1000);
      const b = await audit.append({ type: "session_logout", outcome: "success", actor: "u1" });
      expect([a.seq, b.seq]).toEqual([1, 2]);
      expect(a.prevHash).toBe(GENESIS_HASH);
      expect(b.prevHash).toBe(a.hash);
      // The documented encoding, spelled out byte for byte.
      const expected =
        `{"actor":"u1","at":${T0},"details":{"a":{"b":[2,"x"],"y":true},"z":1},` +
        `"ip":"203.0.113.9","outcome":"success","prev_hash":"${GENESIS_HASH}",` +
        `"request_id":"r1","seq":1,"target":"s1","type":"authn_login_success","user_agent":"curl/8"}`;
      expect(a.hash).toBe(createHash("sha256").update(expected).digest("hex"));
      expect(b.actor).toBe("u1");
      expect(b.target).toBeNull();
      expect(b.details).toEqual({});
      expect(await audit.head()).toEqual({ seq: 2, hash: b.hash });
    });

    test("renders at as ISO-8601 UTC for the API", async () => {
      setUp();
      const e = await audit.append({ type: "sys_startup", outcome: "success" });
      expect(toAuditEventJson(e)).toEqual({
        seq: 1,
        type: "sys_startup",
        at: "2026-01-02T03:04:05.006Z",
        actor: null,
        target: null,
        outcome: "success",
        ip: null,
        user_agent: null,
        request_id: null,
        details: {},
      });
    });

    test("never stores a password, hash or token", async () => {
      setUp();
      const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJlLXZhbHVl";
      const phc = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
      const e = await audit.append({
        type: "user_created",
        outcome: "success",
        userAgent: jwt,
        details: {
          username: "alice",
          password: "hunter2-plain",
          nested: { refresh_token: "rt-secret-value", Authorization: "Bearer abc.def" },
          list: [{ clientSecret: "cs-value" }, phc],
          note: jwt,
          bcrypt: "$2b$12$abcdefghijklmnopqrstuuJ1j5N5Ff2fEL9t5aQxV2g2o4cQ5G7yS",
          password_hash: phc,
        },
      });
      expect(e.details).toEqual({
        username: "alice",
        password: "[redacted]",
        nested: { refresh_token: "[redacted]", Authorization: "[redacted]" },
        list: [{ clientSecret: "[redacted]" }, "[redacted]"],
        note: "[redacted]",
        bcrypt: "[redacted]",
        password_hash: "[redacted]",
      });
      expect(e.userAgent).toBe("[redacted]");
      const raw = JSON.stringify(await t.db().sql`SELECT * FROM audit_events`);
      for (const secret of [
        "hunter2-plain",
        "rt-secret-value",
        "abc.def",
        "cs-value",
        "argon2id",
        "$2b$",
        jwt,
      ]) {
        expect(raw).not.toContain(secret);
      }
      expect(await audit.verify()).toEqual({ ok: true, checked: 1 });
    });

    test("a token inside a longer string (a User-Agent) is cut out, the rest kept", async () => {
      setUp();
      const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJlLXZhbHVl";
      const e = await audit.append({
        type: "authn_token_refresh",
        outcome: "success",
        userAgent: `my-bot/1.0 (auth ${jwt})`,
        details: { note: `sent ${jwt} by mistake` },
      });
      expect(e.userAgent).toBe("my-bot/1.0 (auth [redacted-token])");
      expect(e.details).toEqual({ note: "sent [redacted-token] by mistake" });
      expect(JSON.stringify(await t.db().sql`SELECT * FROM audit_events`)).not.toContain(
        "eyJzdWIi",
      );
      expect(await audit.verify()).toEqual({ ok: true, checked: 1 });
    });

    test("refuses malformed events", async () => {
      setUp();
      for (const bad of [
        { type: "Not Snake", outcome: "success" },
        { type: "sys_startup", outcome: "maybe" },
        { type: "sys_startup", outcome: "success", details: { n: 1n } },
        {
          type: "sys_startup",
          outcome: "success",
          details: Object.fromEntries(
            Array.from({ length: 10 }, (_, i) => [`k${i}`, "x".repeat(1000)]),
          ),
        },
      ]) {
        // biome-ignore lint/suspicious/noExplicitAny: deliberately invalid input past the types.
        const error = await audit.append(bad as any).catch((e: unknown) => e);
        expect(isAuditError(error) && error.kind).toBe("invalid_event");
      }
      expect(await audit.head()).toEqual({ seq: 0, hash: GENESIS_HASH });
    });

    test("query: newest first, filters, and a cursor that walks every page", async () => {
      setUp();
      for (let i = 0; i < 7; i++) {
        await audit.append({
          type: i % 2 === 0 ? "authn_login_fail" : "authn_login_success",
          outcome: i % 2 === 0 ? "failure" : "success",
          actor: i < 4 ? "alice" : "bob",
          details: { i },
        });
        clock.advance(60_000);
      }
      const all = await audit.query({ limit: 100 });
      expect(all.events.map((e) => e.seq)).toEqual([7, 6, 5, 4, 3, 2, 1]);
      expect(all.next_cursor).toBeNull();

      const seen: number[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await audit.query({ limit: 3, cursor });
        seen.push(...page.events.map((e) => e.seq));
        if (!page.next_cursor) break;
        cursor = page.next_cursor;
      }
      expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1]);

      const fails = await audit.query({ type: "authn_login_fail", limit: 100 });
      expect(fails.events.map((e) => e.seq)).toEqual([7, 5, 3, 1]);
      const bob = await audit.query({ actor: "bob", type: "authn_login_success", limit: 100 });
      expect(bob.events.map((e) => e.seq)).toEqual([6]);
      const window = await audit.query({ since: T0 + 60_000, until: T0 + 180_000, limit: 100 });
      expect(window.events.map((e) => e.seq)).toEqual([3, 2]);
    });

    test("query rejects bad cursors and limits", async () => {
      setUp();
      for (const q of [
        { limit: 0 },
        { limit: 501 },
        { limit: 1.5 },
        { limit: 10, cursor: "not-a-cursor" },
        { limit: 10, cursor: Buffer.from("seq:-1").toString("base64url") },
        { limit: 10, cursor: "" },
        // seq:10 spelled with a stray character and with non-zero trailing bits
        { limit: 10, cursor: `${Buffer.from("seq:10").toString("base64url")}A` },
        { limit: 10, cursor: "c2VxOjF" }, // seq:1 is c2VxOjE
        { limit: 10, since: Number.NaN },
      ]) {
        const error = await audit.query(q).catch((e: unknown) => e);
        expect(isAuditError(error) && error.kind).toBe("invalid_query");
      }
    });

    test("an append inside a rolled-back transaction disappears with it", async () => {
      setUp();
      await audit.append({ type: "sys_startup", outcome: "success" });
      await expect(
        t.db().transaction(async (tx) => {
          await tx.sql`INSERT INTO settings (key, value, updated_at) VALUES ('m', 'on', 1)`;
          await audit.append({ type: "maintenance_on", outcome: "success" });
          throw new Error("abort");
        }),
      ).rejects.toThrow("abort");
      const next = await audit.append({ type: "maintenance_off", outcome: "success" });
      expect(next.seq).toBe(2);
      expect(await audit.verify()).toEqual({ ok: true, checked: 2 });
    });

    test("concurrent appends on one handle stay gapless", async () => {
      setUp();
      await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          audit.append({ type: "authn_token_refresh", outcome: "success", details: { i } }),
        ),
      );
      const page = await audit.query({ limit: 100 });
      expect(page.events.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => 25 - i));
      expect(await audit.verify()).toEqual({ ok: true, checked: 25 });
    });

    test("the table refuses UPDATE, DELETE, TRUNCATE and INSERT OR REPLACE; the head cannot go", async () => {
      setUp();
      await audit.append({ type: "sys_startup", outcome: "success" });
      const db = t.db();
      await expect(db.sql`UPDATE audit_events SET actor = 'x'`).rejects.toThrow();
      await expect(db.sql`DELETE FROM audit_events`).rejects.toThrow();
      if (db.dialect === "postgres") {
        await expect(db.unsafe("TRUNCATE audit_events")).rejects.toThrow();
        await expect(db.unsafe("TRUNCATE audit_chain_head")).rejects.toThrow();
      } else {
        await expect(
          db.unsafe(
            "INSERT OR REPLACE INTO audit_events SELECT seq, at, type, 'mallory', target, outcome, ip, user_agent, request_id, details, prev_hash, hash FROM audit_events WHERE seq = 1",
          ),
        ).rejects.toThrow();
      }
      await expect(db.sql`DELETE FROM audit_chain_head`).rejects.toThrow();
      expect(await audit.verify()).toEqual({ ok: true, checked: 1 });
    });

    test("an empty log verifies", async () => {
      setUp();
      expect(await audit.verify()).toEqual({ ok: true, checked: 0 });
    });
  },
  { fresh: "test" },
);

test("canonical JSON sorts keys at every depth and drops undefined", () => {
  expect(canonicalJson({ b: 1, a: { d: [3, { f: null, e: undefined }], c: "é" } })).toBe(
    '{"a":{"c":"é","d":[3,{"f":null}]},"b":1}',
  );
  expect(AUDIT_EVENT_TYPES).toContain("authz_revoke_all");
  expect(AUDIT_EVENT_TYPES).toHaveLength(15);
  expect(
    hashRecord({
      seq: 1,
      at: 0,
      type: "sys_startup",
      actor: null,
      target: null,
      outcome: "success",
      ip: null,
      user_agent: null,
      request_id: null,
      details: {},
      prev_hash: GENESIS_HASH,
    }),
  ).toMatch(/^[0-9a-f]{64}$/);
});

describeEachDatabase("audit list", (t) => {
  test("list pages by a raw seq bound for callers that keep their own cursor", async () => {
    const audit = createAuditLog(t.db(), { clock: new ManualClock(T0) });
    for (let i = 0; i < 4; i++) await audit.append({ type: "user_updated", outcome: "success" });
    expect((await audit.list({ limit: 2 })).map((e) => e.seq)).toEqual([4, 3]);
    expect((await audit.list({ limit: 501, beforeSeq: 3 })).map((e) => e.seq)).toEqual([2, 1]);
    const error = await audit.list({ limit: 502 }).catch((e: unknown) => e);
    expect(isAuditError(error)).toBe(true);
  });
});
