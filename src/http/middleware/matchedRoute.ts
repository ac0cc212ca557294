/**
 * The route template that answered a request (`/v1/market/quotes/:symbol`),
 * never the raw path: span names and log fields must have low cardinality.
 * @module
 */
import type { Context } from "hono";
import { matchedRoutes } from "hono/route";

/** The handler route of the request, or `undefined` when none matched (404/405). */
export function matchedRoute(c: Context): string | undefined {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i];
    // Middleware is registered with method "ALL"; handlers carry their method.
    if (route && route.method !== "ALL") return route.path;
  }
  return undefined;
}
