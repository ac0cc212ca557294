/** Provider links reach clients only as absolute http(s) URLs. */
import { expect, test } from "bun:test";
import { webUrl } from "../../src/providers/shape.ts";

test.each([
  ["https://example.com/a?b=1", "https://example.com/a?b=1"],
  ["http://example.com", "http://example.com/"],
  // The parsed link, not the text checked: tabs and newlines dropped, control characters escaped.
  ["https://a.com/x\ny", "https://a.com/xy"],
  ["https://a.com/\u001b[31mred", "https://a.com/%1B[31mred"],
  ["https://a.com/\tpath", "https://a.com/path"],
  ["javascript:alert(1)", null],
  ["JaVaScRiPt:alert(1)", null],
  ["data:text/html,<script>alert(1)</script>", null],
  ["vbscript:x", null],
  ["//example.com/relative", null],
  ["/relative", null],
  ["", null],
  [null, null],
])("%p → %p", (url, expected) => {
  expect(webUrl(url)).toBe(expected);
});
