import { expect, test } from "bun:test";
import { createLogger, redact } from "../../src/telemetry/logger.ts";

test("credential-like fields are redacted at any depth, input untouched", () => {
  const input = {
    user: "ann",
    password: "hunter2",
    nested: { refresh_token: "rt", Authorization: "Bearer x", list: [{ apiKey: "k", ok: 1 }] },
    ADMIN_PASSWORD_HASH: "$argon2id$…",
  };
  const out = redact(input) as Record<string, unknown>;
  const text = JSON.stringify(out);
  for (const secret of ["hunter2", '"rt"', "Bearer x", '"k"', "argon2id"]) {
    expect(text).not.toContain(secret);
  }
  expect(text).toContain('"ann"');
  expect(text).toContain('"ok":1');
  expect(input.password).toBe("hunter2");
});

test("errors are logged by name and message only", () => {
  const out = redact({ error: new TypeError("boom") });
  expect(out).toEqual({ error: { name: "TypeError", message: "boom" } });
});

test("levels below the threshold are dropped; lines are JSON", () => {
  const lines: string[] = [];
  const log = createLogger("warn", (l) => lines.push(l));
  log.info("quiet");
  log.warn("loud", { token: "abc" });
  expect(lines).toHaveLength(1);
  const record = JSON.parse(lines[0] as string);
  expect(record).toMatchObject({ level: "warn", msg: "loud", token: "[redacted]" });
  expect(typeof record.time).toBe("string");
});

test("child loggers carry their fields", () => {
  const lines: string[] = [];
  createLogger("info", (l) => lines.push(l))
    .child({ request_id: "r1" })
    .info("x");
  expect(JSON.parse(lines[0] as string).request_id).toBe("r1");
});
