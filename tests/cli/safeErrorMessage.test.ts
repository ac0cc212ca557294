/** safeErrorMessage: a driver's message with the database password removed, never revealed by the masking. */
import { expect, test } from "bun:test";
import { safeErrorMessage } from "../../src/cli/databaseCommand.ts";

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
