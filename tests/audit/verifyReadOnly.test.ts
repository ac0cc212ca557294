/**
 * `audit verify` opens a SQLite file read-only: a rollback-journal database
 * (a backup made with VACUUM INTO is one) is checked without a byte of it
 * changing, and stays in its journal mode.
 */
import { Database as Connection } from "bun:sqlite";
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { createAuditLog } from "../../src/audit/index.ts";
import { runAuditVerify } from "../../src/cli/audit.ts";
import { migrate, openDatabase } from "../../src/storage/index.ts";
import { captureIo } from "../support/captureIo.ts";
import { createEmptyDatabase } from "../support/databases.ts";

test("a rollback-journal database stays as it was", async () => {
  const made = await createEmptyDatabase("sqlite");
  const file = made.url.slice("sqlite://".length);
  const db = await openDatabase(made.url);
  await migrate(db);
  const log = createAuditLog(db);
  for (const actor of ["a", "b", "c"]) {
    await log.append({ type: "authn_login_success", outcome: "success", actor });
  }
  await db.close();
  const raw = new Connection(file);
  raw.run("PRAGMA journal_mode = DELETE");
  raw.close();
  const before = await Bun.file(file).bytes();
  try {
    const io = captureIo();
    expect(await runAuditVerify({ DATABASE_URL: `sqlite://${file}` }, io.io)).toBe(0);
    expect(JSON.parse(io.stdout())).toEqual({ ok: true, checked: 3 });
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(Buffer.from(await Bun.file(file).bytes()).equals(Buffer.from(before))).toBe(true);
    const check = new Connection(file, { readonly: true });
    expect(check.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "delete" });
    check.close();
  } finally {
    await made.dispose();
  }
});
