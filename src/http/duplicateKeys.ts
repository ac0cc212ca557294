/**
 * Finds an object key that appears twice in one object of a JSON text.
 *
 * `JSON.parse` keeps the last of duplicate keys, and other parsers (a proxy,
 * an audit tool, a WAF) keep the first, so `{"role":"viewer","role":"admin"}`
 * reads as a viewer to them and as an admin to us. RFC 8259 §4 leaves the
 * behaviour open; a request body that relies on it is refused instead.
 * @module
 */

const QUOTE = 34;
const BACKSLASH = 92;

/** One open object or array, innermost last. */
interface Frame {
  /** The keys seen so far; undefined for an array. */
  keys: Set<string> | undefined;
  /** The current key (object) or index (array), for the path. */
  at: string | number;
  /** In an object, true between `{` or `,` and the next key. */
  expectKey: boolean;
}

/** Index of the quote closing the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) return i;
    i += code === BACKSLASH ? 2 : 1;
  }
}

/**
 * The path (keys and array indices, outermost first) of the first key that
 * repeats within one object of `text`, or undefined when none does. `text`
 * must be valid JSON (`JSON.parse` accepted it); the scan keeps its own stack,
 * so nesting depth costs memory, not call stack.
 */
export function firstDuplicateKey(text: string): (string | number)[] | undefined {
  if (!text.includes('"')) return undefined;
  const stack: Frame[] = [];
  let top: Frame | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "{") {
      top = { keys: new Set(), at: "", expectKey: true };
      stack.push(top);
    } else if (ch === "[") {
      top = { keys: undefined, at: 0, expectKey: false };
      stack.push(top);
    } else if (ch === "}" || ch === "]") {
      stack.pop();
      top = stack.at(-1);
    } else if (ch === ",") {
      if (top?.keys) top.expectKey = true;
      else if (top) top.at = (top.at as number) + 1;
    } else if (ch === '"') {
      const end = stringEnd(text, i);
      if (top?.keys && top.expectKey) {
        const raw = text.slice(i + 1, end);
        // Escapes spell one key many ways (`"a"`, `"\u0061"`): compare what they decode to.
        const key = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
        top.at = key;
        if (top.keys.has(key)) return stack.map((frame) => frame.at);
        top.keys.add(key);
        top.expectKey = false;
      }
      i = end;
    }
  }
  return undefined;
}
