/**
 * Finds an object key that appears twice in one object of a JSON text, and
 * nesting deeper than a request body needs.
 *
 * `JSON.parse` keeps the last of duplicate keys, and other parsers (a proxy,
 * an audit tool, a WAF) keep the first, so `{"role":"viewer","role":"admin"}`
 * reads as a viewer to them and as an admin to us. RFC 8259 §4 leaves the
 * behaviour open; a request body that relies on it is refused instead.
 *
 * The scan stops at {@link MAX_BODY_DEPTH}: no route's body is nested more
 * than a level or two, and an unbounded scan of `{"a":{"a":…` spent seconds
 * and hundreds of MB on a 10 MiB body (a review measured it).
 * @module
 */

/** Deepest nesting of objects and arrays a request body may have. */
export const MAX_BODY_DEPTH = 32;

/** What is wrong with a body's keys or shape. */
export type KeyProblem = { kind: "duplicate"; path: (string | number)[] } | { kind: "too_deep" };

const QUOTE = 34;
const BACKSLASH = 92;

/** One open object or array, innermost last. */
interface Frame {
  /** The keys seen so far: none, the first one, then a set (most objects hold one key or none). */
  keys: undefined | string | Set<string>;
  /** Whether this is an object (arrays have no keys). */
  object: boolean;
  /** The current key (object) or index (array), for the path. */
  at: string | number;
  /** In an object, true between `{` or `,` and the next key. */
  expectKey: boolean;
}

/** Index of the quote closing the string that opens at `start`, or the text's length if none does. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) return i;
    i += code === BACKSLASH ? 2 : 1;
  }
  return text.length;
}

/** Adds `key` to the frame's keys; false when it was there already. */
function addKey(frame: Frame, key: string): boolean {
  if (frame.keys === undefined) frame.keys = key;
  else if (typeof frame.keys === "string") {
    if (frame.keys === key) return false;
    frame.keys = new Set([frame.keys, key]);
  } else {
    if (frame.keys.has(key)) return false;
    frame.keys.add(key);
  }
  return true;
}

/**
 * The first problem of `text`, scanning left to right: a key that repeats
 * within one object (with its path of keys and array indices, outermost
 * first), or nesting beyond `maxDepth`. Undefined when there is none. Meant
 * for text `JSON.parse` accepted; on anything else it still ends, in linear
 * time, with some answer.
 */
export function keyProblem(text: string, maxDepth = MAX_BODY_DEPTH): KeyProblem | undefined {
  if (!text.includes('"') && !text.includes("[")) return undefined;
  const stack: Frame[] = [];
  let top: Frame | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "{" || ch === "[") {
      if (stack.length >= maxDepth) return { kind: "too_deep" };
      const object = ch === "{";
      top = { keys: undefined, object, at: object ? "" : 0, expectKey: object };
      stack.push(top);
    } else if (ch === "}" || ch === "]") {
      stack.pop();
      top = stack.at(-1);
    } else if (ch === ",") {
      if (top?.object) top.expectKey = true;
      else if (top) top.at = (top.at as number) + 1;
    } else if (ch === '"') {
      const end = stringEnd(text, i);
      if (top?.object && top.expectKey) {
        const raw = text.slice(i + 1, end);
        // Escapes spell one key many ways (`"a"`, `"\u0061"`): compare what they decode to.
        const key = raw.includes("\\") ? decodedKey(raw) : raw;
        top.at = key;
        if (!addKey(top, key)) return { kind: "duplicate", path: stack.map((frame) => frame.at) };
        top.expectKey = false;
      }
      i = end;
    }
  }
  return undefined;
}

/** The text a key's escapes spell; the raw text when they are malformed (not valid JSON anyway). */
function decodedKey(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}
