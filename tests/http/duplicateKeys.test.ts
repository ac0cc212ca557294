/** keyProblem (src/http/duplicateKeys.ts) by example and against a reference parser. */
import { describe, expect, test } from "bun:test";
import { keyProblem } from "../../src/http/duplicateKeys.ts";

/** The duplicate's path, if that is the problem keyProblem reports. */
const firstDuplicateKey = (text: string, maxDepth?: number) => {
  const problem = keyProblem(text, maxDepth);
  return problem?.kind === "duplicate" ? problem.path : undefined;
};

type Path = (string | number)[];

/** A recursive-descent reading of valid JSON that reports the first repeated key: the oracle. */
function reference(text: string): Path | undefined {
  let i = 0;
  const path: Path = [];
  const ws = () => {
    while (/\s/.test(text[i] ?? "")) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): Path | undefined => {
    ws();
    if (text[i] === "{") {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        const key = str();
        path.push(key);
        if (seen.has(key)) return [...path];
        seen.add(key);
        ws();
        i++; // :
        const found = value();
        if (found) return found;
        path.pop();
        ws();
        if (text[i++] === "}") return undefined;
      }
    }
    if (text[i] === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (let index = 0; ; index++) {
        path.push(index);
        const found = value();
        if (found) return found;
        path.pop();
        ws();
        if (text[i++] === "]") return undefined;
      }
    }
    if (text[i] === '"') return void str();
    while (i < text.length && !/[,\]}\s]/.test(text[i] as string)) i++;
    return undefined;
  };
  return value();
}

describe("firstDuplicateKey", () => {
  test.each([
    ['{"a":1}', undefined],
    ['{"a":1,"a":2}', ["a"]],
    ['{"a":{"b":1},"c":{"b":2}}', undefined],
    ['[{"a":1},{"a":2}]', undefined],
    ['{"x":[{"y":1},{"y":2,"y":3}]}', ["x", 1, "y"]],
    ['{"a":"a","b":"a"}', undefined],
    ['{"a":1,"\\u0061":2}', ["a"]],
    ['{"a\\"":1,"a\\u0022":2}', ['a"']],
    ['{"k":"}\\"{,\\"k\\":","k":1}', ["k"]],
    ['{"":1,"":2}', [""]],
    ['{ "a" : 1 , "b" : { "c" : [ 1 , { "d" : 0 , "d" : 0 } ] } }', ["b", "c", 1, "d"]],
    ['"just a string"', undefined],
    ["123", undefined],
    ["[]", undefined],
  ])("%s → %p", (text, expected) => {
    JSON.parse(text); // every case is valid JSON
    expect(firstDuplicateKey(text)).toEqual(expected as Path | undefined);
  });

  test("nesting beyond the limit is the problem, found before anything inside it", () => {
    const nest = (depth: number, inner: string) =>
      `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;
    expect(keyProblem(nest(31, '{"b":1}'))).toBeUndefined(); // 32 levels
    expect(keyProblem(nest(32, '{"b":1}'))).toEqual({ kind: "too_deep" });
    expect(keyProblem(nest(200_000, '{"b":1,"b":2}'))).toEqual({ kind: "too_deep" });
    expect(keyProblem(nest(3, '{"b":1,"b":2}'))).toEqual({
      kind: "duplicate",
      path: [0, 0, 0, "b"],
    });
    // A deep limit, for the scan itself: its own stack, not the call stack.
    const deep = `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`;
    expect(keyProblem(deep, 200_000)).toBeUndefined();
  });

  test("text that is not JSON still ends", () => {
    for (const text of ['{"a', '{"a":"\\', '{"a\\"', "{", '"', '{"a":1,"a', "]]]}}}"]) {
      expect(() => keyProblem(text)).not.toThrow();
    }
    // An unterminated string of escapes: the scan stops at the end of the text.
    expect(keyProblem(`{"${"\\\\".repeat(500_000)}`)).toBeUndefined();
  });

  test("agrees with the reference on random documents", () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n); // the high bits: an LCG's low bits cycle fast
    };
    const keys = ["a", "b", "\\u0061", 'q\\"', "", "}{", "x y"];
    const gen = (depth: number): string => {
      const pick = rand(depth > 3 ? 3 : 6);
      if (pick === 0) return String(rand(100) - 50);
      if (pick === 1) return `"${keys[rand(keys.length)]}"`;
      if (pick === 2) return ["true", "false", "null"][rand(3)] as string;
      const n = rand(4);
      const items = Array.from({ length: n }, () =>
        pick === 3
          ? gen(depth + 1)
          : `"${keys[rand(keys.length)]}" :${" ".repeat(rand(2))}${gen(depth + 1)}`,
      );
      return pick === 3 ? `[${items.join(", ")}]` : `{${items.join(",")}}`;
    };
    let duplicates = 0;
    for (let k = 0; k < 3_000; k++) {
      const text = gen(0);
      JSON.parse(text);
      const expected = reference(text);
      if (expected) duplicates++;
      expect([text, firstDuplicateKey(text)]).toEqual([text, expected]);
    }
    expect(duplicates).toBeGreaterThan(300); // the generator does make duplicates
  });
});
