/**
 * Our `ipFamily` against `node:net`'s `isIP`, which it replaces on the start
 * path: fixed edge cases and a few thousand generated near-addresses.
 */
import { describe, expect, test } from "bun:test";
import { isIP } from "node:net";
import { ipFamily } from "../../src/net/ipFamily.ts";

const CASES = [
  "127.0.0.1",
  "0.0.0.0",
  "255.255.255.255",
  "256.1.1.1",
  "01.2.3.4",
  "1.2.3",
  "1.2.3.4.5",
  "1.2.3.4 ",
  " 1.2.3.4",
  "::",
  "::1",
  "1::",
  "1:2:3:4:5:6:7:8",
  "1:2:3:4:5:6:7:8:9",
  "1:2:3:4:5:6:7::",
  "1:2:3:4:5:6:7:8::",
  "::ffff:127.0.0.1",
  "::ffff:127.0.0.01",
  "1:2:3:4:5:6:1.2.3.4",
  "1:2:3:4:5:6:7:1.2.3.4",
  "1::2::3",
  ":::",
  "1:::2",
  ":1::2",
  "1::2:",
  "fe80::1%eth0",
  "fe80::1%",
  "fe80::1%eth 0",
  "fe80::1%a_b",
  "fe80::1%a~b",
  "fe80::1%a:b.c",
  "FDAA:0:1::3",
  "12345::",
  "g::1",
  "[::1]",
  "",
  "localhost",
  "1.2.3.4::",
  "::1.2.3.4",
  "1.2.3.4:5",
];

describe("ipFamily", () => {
  test.each(CASES)("%p agrees with node:net", (text) => {
    expect(ipFamily(text)).toBe(isIP(text) as 0 | 4 | 6);
  });

  test("agrees with node:net on 30 000 generated strings", () => {
    let seed = 11;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pieces = [
      "",
      "0",
      "1",
      "ff",
      "ffff",
      "10000",
      "255",
      "256",
      "01",
      ".",
      ":",
      "::",
      "%a",
      "g",
    ];
    for (let i = 0; i < 30_000; i++) {
      const n = 1 + Math.floor(next() * 10);
      let text = "";
      for (let j = 0; j < n; j++) text += pieces[Math.floor(next() * pieces.length)];
      expect([text, ipFamily(text)]).toEqual([text, isIP(text) as 0 | 4 | 6]);
    }
  });
});
