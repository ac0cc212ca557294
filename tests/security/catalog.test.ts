/** The catalog, the rules in the source and docs/validator.md name the same check IDs. */
import { expect, test } from "bun:test";
import { Glob } from "bun";
import { CHECKS, isCheckId } from "../../src/security/index.ts";

const root = new URL("../../", import.meta.url).pathname;

test("every ID a rule emits is in the catalog, and every catalog ID is emitted", async () => {
  const emitted = new Set<string>();
  for await (const file of new Glob("src/security/*.ts").scan(root)) {
    const text = await Bun.file(root + file).text();
    for (const [, id] of text.matchAll(/id: "([a-z]+\.\d{3})"/g)) emitted.add(id as string);
    for (const [, id] of text.matchAll(/: "((?:secret)\.\d{3})",\n/g)) emitted.add(id as string);
  }
  expect([...emitted].filter((id) => !isCheckId(id))).toEqual([]);
  expect(Object.keys(CHECKS).filter((id) => !emitted.has(id))).toEqual([]);
});

test("docs/validator.md documents every check ID", async () => {
  const docs = await Bun.file(`${root}docs/validator.md`).text();
  expect(Object.keys(CHECKS).filter((id) => !docs.includes(`| ${id} |`))).toEqual([]);
});
