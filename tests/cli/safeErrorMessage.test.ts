/**
 * safeErrorMessage: a driver's message with the database password removed, never revealed by the
 * masking; a database that cannot be reached is named.
 */
import { expect, test } from "bun:test";
import { safeErrorMessage, withDatabase } from "../../src/cli/databaseCommand.ts";
import type { Database } from "../../src/storage/index.ts";
import { targetInWords } from "../../src/storage/url.ts";
import { captureIo } from "../support/captureIo.ts";

const url = (password: string) => `postgres://app:${password}@db.internal:5432/trading`;

test("a long password is masked wherever the message quotes it, raw or percent-decoded", () => {
  const password = "s3cr%40t-long-password";
  const message = safeErrorMessage(
    new Error('password authentication failed: "s3cr@t-long-password" and s3cr%40t-long-password'),
    url(password),
  );
  expect(message).toBe('password authentication failed: "***" and ***');
});

test("userinfo of any URL the message quotes is masked, whatever the configured one", () => {
  const message = safeErrorMessage(
    new Error("cannot connect to postgres://other:hunter2@10.0.0.1/x"),
    "sqlite://./data/trading.db",
  );
  expect(message).toBe("cannot connect to postgres://other:***@10.0.0.1/x");
});

test("a short password that the message happens to contain withholds the message, not masks letters", () => {
  // Masking each "p" would print "***arameter" and tell the password.
  const message = safeErrorMessage(new Error("invalid sslmode parameter"), url("p"));
  expect(message).not.toContain("***");
  expect(message).toContain("withheld");
});

test("a long password inside a word is not masked either: the rest of the word would tell it", () => {
  const message = safeErrorMessage(new Error("insecure connection refused"), url("secure"));
  expect(message).toContain("withheld");
  expect(message).not.toContain("in***");
});

test("a URL's userinfo is masked up to the last @ before the host", () => {
  const message = safeErrorMessage(
    new Error("no route to //u:p@ss@db.internal/x"),
    "sqlite://x.db",
  );
  expect(message).toBe("no route to //u:***@db.internal/x");
});

test("a message without the password is kept as it is", () => {
  expect(safeErrorMessage(new Error("connection refused"), url("p"))).toBe("connection refused");
  expect(safeErrorMessage("not an error", url("long-enough-password"))).toBe("unexpected failure");
});

test("a database that cannot be reached is named (host, port, database), never its password", async () => {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true); // a port nothing listens on
  const password = "unreachable-db-password-1";
  const io = captureIo();
  const config = {
    DATABASE_URL: `postgres://app:${password}@127.0.0.1:${port}/desk%20db?sslmode=disable`,
  };
  const work = async (db: Database) => {
    await db.sql`SELECT 1`; // PostgreSQL connects on the first query
    return 0;
  };
  expect(await withDatabase("migrate", config, io.io, work)).toBe(1);
  expect(io.stderr()).toEndWith(`(PostgreSQL at 127.0.0.1:${port}, database desk db)\n`);
  expect(io.stderr()).not.toContain(password);
});

test("a password with a raw / is refused before anything names the database", async () => {
  // Parsed, it would be host "trader" and database "s3cretPart@db…": the password in a message.
  const url = "postgres://trader:/s3cretPart@db.example.com:5432/trading?sslmode=verify-full";
  const io = captureIo();
  expect(await withDatabase("migrate", { DATABASE_URL: url }, io.io, async () => 0)).toBe(1);
  expect(io.stderr()).toContain("percent-encode / ? # in the password");
  expect(io.stderr()).not.toContain("s3cretPart");
  expect(targetInWords(url)).toBeUndefined();
});

test("targetInWords: where a URL points, without credentials", () => {
  expect(targetInWords("postgres://a:b@db.internal/trading")).toBe(
    "PostgreSQL at db.internal:5432, database trading",
  );
  expect(targetInWords("sqlite:///var/lib/x.db")).toBe("SQLite file /var/lib/x.db");
  expect(targetInWords("mysql://x")).toBeUndefined();
});
