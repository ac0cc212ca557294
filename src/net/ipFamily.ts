/**
 * `ipFamily(text)`: 4, 6 or 0, with the same answers as `node:net`'s `isIP`.
 * Written here because importing `node:net` loads Node's stream machinery
 * into every start of the binary (~5 ms) for one pure string check.
 * @module
 */

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)";
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const GROUP = /^[0-9a-fA-F]{1,4}$/;
const ZONE = /^[0-9a-zA-Z\-.:]+$/;

/** True for dotted-quad IPv4 without leading zeros (`isIPv4`). */
const isIpv4 = (text: string): boolean => IPV4.test(text);

/** True for IPv6 text: hex groups, at most one `::`, an optional IPv4 tail and `%zone`. */
function isIpv6(text: string): boolean {
  let s = text;
  const percent = s.indexOf("%");
  if (percent !== -1) {
    if (!ZONE.test(s.slice(percent + 1))) return false;
    s = s.slice(0, percent);
  }
  const halves = s.split("::");
  if (halves.length > 2) return false;
  const all = halves.flatMap((h) => (h === "" ? [] : h.split(":")));
  let groups = all.length;
  // A dotted IPv4 tail stands for the last two groups; it must end the text.
  if (s.includes(".")) {
    const last = all.pop();
    if (last === undefined || !s.endsWith(last) || !isIpv4(last)) return false;
    groups += 1;
  }
  if (!all.every((g) => GROUP.test(g))) return false;
  return halves.length === 2 ? groups <= 7 : groups === 8;
}

/** 4 for IPv4, 6 for IPv6, 0 otherwise. */
export function ipFamily(text: string): 0 | 4 | 6 {
  if (isIpv4(text)) return 4;
  return isIpv6(text) ? 6 : 0;
}
