/**
 * Lists and maps for provider payloads that stop at their first bad element.
 *
 * zod records every problem of a body, not only the first: a probe's 13 KB of
 * gzip decoding to a million `{}` items made four million issue objects, held
 * the event loop for seconds and took gigabytes, while we only ever report the
 * first path (shape.ts). These check one element at a time and give up on the
 * first that fails, with that element's first issue, so the cost of a bad body
 * is bounded by the first bad element, not by the body's size.
 * @module
 */
import { z } from "zod";

type Ctx = z.core.$RefinementCtx;

/** Reports `issue` (found under `at`) on `ctx` and returns zod's "no value". */
function fail(ctx: Ctx, at: PropertyKey, input: unknown, error: z.ZodError): never {
  const first = error.issues[0];
  ctx.addIssue({
    code: "custom",
    message: first?.message ?? "invalid",
    path: [at, ...(first?.path ?? [])],
    input,
  });
  return z.NEVER;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** An array whose every element is an `item`, checked in order up to the first bad one. */
export function listOf<T extends z.ZodType>(item: T) {
  return z
    .custom<unknown[]>(Array.isArray, "expected an array")
    .transform((elements, ctx): z.output<T>[] => {
      const out: z.output<T>[] = new Array(elements.length);
      for (let i = 0; i < elements.length; i++) {
        const parsed = item.safeParse(elements[i]);
        if (!parsed.success) return fail(ctx, i, elements[i], parsed.error);
        out[i] = parsed.data;
      }
      return out;
    });
}

/**
 * A map's key as it may appear in an issue path: a symbol or a date as is, anything else
 * as `<key>`. The key is the provider's data, and the path goes into errors and logs (a
 * probe's 1 MB key with terminal escapes made a 1 MB log line; one could echo a credential,
 * and no provider key is a ticker's ten characters).
 */
export function pathKey(name: string): string {
  return /^[A-Z][A-Z0-9.-]{0,9}$/.test(name) || /^\d{4}-\d{2}-\d{2}$/.test(name) ? name : "<key>";
}

/**
 * An object used as a map from `key` to `value`, checked entry by entry up to
 * the first bad one. Built with `Object.fromEntries`, so a `__proto__` key from
 * JSON stays an ordinary own entry.
 */
export function mapOf<K extends z.ZodType<string>, V extends z.ZodType>(key: K, value: V) {
  return z
    .custom<Record<string, unknown>>(isPlainObject, "expected an object")
    .transform((entries, ctx): Record<z.output<K>, z.output<V>> => {
      const out: [z.output<K>, z.output<V>][] = [];
      for (const name of Object.keys(entries)) {
        const k = key.safeParse(name);
        if (!k.success) return fail(ctx, pathKey(name), name, k.error);
        const v = value.safeParse(entries[name]);
        if (!v.success) return fail(ctx, pathKey(name), entries[name], v.error);
        out.push([k.data, v.data]);
      }
      return Object.fromEntries(out) as Record<z.output<K>, z.output<V>>;
    });
}
