/** Provider waits: RFC 9110's two Retry-After forms (all three date spellings), Alpaca's reset, nothing else, at most an hour. */
import { expect, test } from "bun:test";
import { MAX_PROVIDER_WAIT_MS, retryAfterMs } from "../../src/providers/transport/retryAfter.ts";

const NOW = Date.parse("2024-01-03T15:00:00Z");
const wait = (headers: Record<string, string>) => retryAfterMs(new Headers(headers), NOW);

test.each([
  [{ "retry-after": "7" }, 7_000],
  [{ "retry-after": "Wed, 03 Jan 2024 15:00:30 GMT" }, 30_000],
  [{ "retry-after": "Wed, 03 Jan 2024 14:00:00 GMT" }, 0],
  [{ "x-ratelimit-reset": String(NOW / 1000 + 12) }, 12_000],
  // Years: capped, so neither a retry nor a client waits that long.
  [{ "retry-after": "99999999" }, MAX_PROVIDER_WAIT_MS],
  [{ "x-ratelimit-reset": "99999999999" }, MAX_PROVIDER_WAIT_MS],
  // Neither form (Date.parse would read these as past dates: no backoff at all).
  [{ "retry-after": "-5" }, undefined],
  [{ "retry-after": "1.5" }, undefined],
  [{ "retry-after": "soon" }, undefined],
  // The two obsolete HTTP-date spellings recipients must accept (RFC 9110 §5.6.7).
  [{ "retry-after": "Wednesday, 03-Jan-24 15:00:30 GMT" }, 30_000],
  [{ "retry-after": "Wed Jan  3 15:00:30 2024" }, 30_000],
  // Text Date.parse reads as some date: "retry now", or an hour's wait sent to clients.
  [{ "retry-after": "Tue 2 12" }, undefined],
  [{ "retry-after": "Thu 1 12:00" }, undefined],
  [{ "retry-after": "Mon 2030" }, undefined],
  [{ "retry-after": "Dec 25 2026" }, undefined],
  [{ "retry-after": "Wed, 03 Jan 2024 15:00:30 UTC" }, undefined],
  [{ "retry-after": "Wed, 31 Feb 2024 15:00:30 GMT" }, undefined],
  [{ "retry-after": "Wed, 03 Jan 2024 25:00:30 GMT" }, undefined],
  [{}, undefined],
])("%p → %p", (headers, expected) => {
  expect(wait(headers)).toBe(expected);
});
