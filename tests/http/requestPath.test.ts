/** The raw request path, sliced from the URL: the same as `new URL().pathname` for what the server sees. */
import { expect, test } from "bun:test";
import { pathAndQueryOf, rawPathOf } from "../../src/http/requestPath.ts";

test.each([
  ["http://127.0.0.1:8080/v1/market/quotes/AAPL", "/v1/market/quotes/AAPL"],
  ["http://h/healthz?probe=1", "/healthz"],
  ["http://h/a%2Fb/%2e%2e?x=/y#z", "/a%2Fb/%2e%2e"],
  ["https://h:443/p#frag", "/p"],
  ["http://h", "/"],
  ["http://h?x=/not-a-path", "/"],
  ["http://h#/frag", "/"],
  ["http://h/", "/"],
])("%p → %p", (url, path) => {
  expect(rawPathOf(url)).toBe(path);
  // Where URL keeps the path as is, the two agree.
  if (!url.includes("%2e")) expect(rawPathOf(url)).toBe(new URL(url).pathname);
});

test.each([
  ["http://[/healthz?x=1", "/healthz?x=1"],
  ["http://x:abc/v1/news?symbols=AAPL#f", "/v1/news?symbols=AAPL"],
  ["http://h", "/"],
  ["http://h?q=1", "/?q=1"],
  ["http://h/p#f?not-query", "/p"],
])("path and query of %p → %p", (url, expected) => {
  expect(pathAndQueryOf(url)).toBe(expected);
});
