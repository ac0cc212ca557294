/**
 * Tells 405 from 404: when no handler matched, checks whether the path exists
 * under another method, from the app's own route table (built once, lazily).
 * @module
 */
import type { Env, Hono } from "hono";

interface Pattern {
  method: string;
  regex: RegExp;
}

const toRegex = (path: string): RegExp => {
  const source = path
    .split("/")
    .map((segment) =>
      segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("/");
  // Exact, like the router: `/v1/auth/me/` is a 404, not a 405 that advertises GET.
  return new RegExp(`^${source}$`);
};

/** Returns a function giving the allowed methods for a path (empty when unknown). */
export function allowedMethodsFor<E extends Env>(app: Hono<E>): (path: string) => string[] {
  let patterns: Pattern[] | undefined;
  return (path) => {
    patterns ??= app.routes
      .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
      .map((r) => ({ method: r.method, regex: toRegex(r.path) }));
    const methods = new Set<string>();
    for (const p of patterns) if (p.regex.test(path)) methods.add(p.method);
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  };
}
