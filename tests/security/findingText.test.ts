/** Finding text is one line; only text longer than any check writes is cut, at a word's end. */
import { expect, test } from "bun:test";
import { FindingList } from "../../src/security/types.ts";

const levels = "W/W/W" as const;

test("a long message stays whole; whitespace collapses to one line", () => {
  const list = new FindingList("production");
  const message = `${"word ".repeat(50)}end`;
  list.add({
    id: "x.001",
    levels,
    variable: null,
    message: message.replace(/ /g, "\n "),
    hint: null,
  });
  expect(list.findings[0]?.message).toBe(message);
});

test("text beyond the bound is cut at a word's end, with an ellipsis", () => {
  const list = new FindingList("production");
  list.add({ id: "x.002", levels, variable: null, message: "quoted ".repeat(100), hint: null });
  const cut = list.findings[0]?.message ?? "";
  expect(cut.length).toBeLessThanOrEqual(300);
  expect(cut).toMatch(/^(quoted )*quoted…$/);
});
