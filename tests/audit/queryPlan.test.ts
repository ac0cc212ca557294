/**
 * Audit filters reach their indexes (SQLite's plan): a rare actor or target in
 * a long log is an index search, not a scan of the log newest first.
 */
import { Database as Connection } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { type AuditListFilter, listStatement } from "../../src/audit/query.ts";
import { migrate, openDatabase } from "../../src/storage/index.ts";
import { createEmptyDatabase } from "../support/databases.ts";

const made = await createEmptyDatabase("sqlite");
const db = await openDatabase(made.url);
await migrate(db);
await db.close();
const conn = new Connection(made.url.slice("sqlite://".length), { readonly: true });
afterAll(async () => {
  conn.close();
  await made.dispose();
});

/** SQLite's plan of the list statement for `filter`, one line per step. */
const planOf = (filter: AuditListFilter) => {
  const { text, params } = listStatement(filter);
  // bun:sqlite binds `$1…` as numbered parameters, as the storage layer does.
  const rows = conn.query(`EXPLAIN QUERY PLAN ${text}`).all(...(params as number[]));
  return (rows as Array<{ detail: string }>).map((r) => r.detail).join(" | ");
};

test.each([
  ["actor", { actor: "u1" }, "audit_events_actor_seq"],
  ["target", { target: "admin" }, "audit_events_target_seq"],
  ["type", { type: "authn_login_fail" }, "audit_events_type_seq"],
  ["target, next page", { target: "admin", beforeSeq: 1000 }, "audit_events_target_seq"],
] as Array<[string, Partial<AuditListFilter>, string]>)(
  "%s filter: its index, newest first",
  (_name, filter, index) => {
    const plan = planOf({ limit: 51, ...filter });
    expect(plan).toContain(`INDEX ${index}`);
    expect(plan).not.toContain("TEMP B-TREE"); // newest first straight from the index
  },
);

test("no filter walks the seq index backwards, with nothing to sort", () => {
  const plan = planOf({ limit: 51 });
  expect(plan).toContain("(seq>? AND seq<?)");
  expect(plan).not.toContain("TEMP B-TREE");
});
