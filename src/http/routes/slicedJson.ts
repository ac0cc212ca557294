/**
 * JSON text of an answer holding one long list, written a slice of the list
 * at a time with a turn of the event loop between slices. `JSON.stringify` of
 * a 10 000-bar answer (~1 MB) holds the loop ~5 ms in one piece; a burst of
 * them held health checks and quotes back by that much each. For plain data
 * (a plain object, an array, no `toJSON` on either, not changed meanwhile)
 * the text is the same as `JSON.stringify(body)`; anything else is written by
 * `JSON.stringify` in one piece (tests/http/slicedJson.test.ts).
 * @module
 */
import type { Context, TypedResponse } from "hono";
import { nextTurn } from "../../clock/nextTurn.ts";

/** Items written between two turns of the event loop. */
const SLICE = 1_000;

/** Whether `body[key]` can be written in slices with the text `JSON.stringify` would give. */
function sliceable(body: Record<string, unknown>, key: string): boolean {
  const proto = Object.getPrototypeOf(body);
  const items = body[key];
  return (
    (proto === Object.prototype || proto === null) &&
    typeof body.toJSON !== "function" &&
    Object.prototype.propertyIsEnumerable.call(body, key) &&
    Array.isArray(items) &&
    Object.getPrototypeOf(items) === Array.prototype &&
    !Object.hasOwn(items, "toJSON")
  );
}

/**
 * `JSON.stringify(body)`, where `body[key]` is an array written `slice` items
 * at a time. Key order and omitted `undefined` values are as `JSON.stringify`'s.
 */
export async function slicedJson(
  body: Record<string, unknown>,
  key: string,
  slice = SLICE,
): Promise<string> {
  const items = body[key];
  if (!Array.isArray(items) || items.length <= slice || !sliceable(body, key)) {
    return JSON.stringify(body);
  }
  // No prototype: an own `__proto__` key stays a key here, as in `JSON.stringify`.
  const before: Record<string, unknown> = Object.create(null);
  const after: Record<string, unknown> = Object.create(null);
  let past = false;
  for (const name of Object.keys(body)) {
    if (name === key) past = true;
    else (past ? after : before)[name] = body[name];
  }
  const head = JSON.stringify(before).slice(0, -1);
  const tail = JSON.stringify(after).slice(1);
  const parts = [`${head}${head.length > 1 ? "," : ""}${JSON.stringify(key)}:[`];
  for (let at = 0; at < items.length; at += slice) {
    if (at > 0) await nextTurn();
    // Each slice as JSON's own array text, without its brackets.
    parts.push(`${at > 0 ? "," : ""}${JSON.stringify(items.slice(at, at + slice)).slice(1, -1)}`);
  }
  parts.push(`]${tail.length > 1 ? "," : ""}${tail}`);
  return parts.join("");
}

/** A 200 JSON answer of `body`, written by {@link slicedJson}. */
export async function slicedJsonResponse<T extends Record<string, unknown>>(
  c: Context,
  body: T,
  key: keyof T & string,
): Promise<TypedResponse<T, 200, "json">> {
  const res = c.newResponse(await slicedJson(body, key), 200, {
    "content-type": "application/json",
  });
  // Hono types a JSON answer only when it serializes the body itself (`c.json`); this is the
  // same answer, serialized in slices, so it is typed as `c.json` would type it.
  return res as unknown as TypedResponse<T, 200, "json">;
}
