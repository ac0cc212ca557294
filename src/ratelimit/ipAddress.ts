/**
 * Client addresses as rate-limit identities: parsed strictly, IPv4-mapped IPv6
 * folded to IPv4, and IPv6 keyed by its /56 — one subscriber usually gets a
 * /56 or a /64, so keying on the full address would hand out a fresh budget
 * per address in it.
 * @module
 */
import { ipFamily } from "../net/ipFamily.ts";

/**
 * The canonical form of `text` as an IP address, or undefined when it is not
 * one. Accepts `[v6]`, `[v6]:port`, `v4:port` and a `%zone` suffix, as they
 * appear in proxy headers and socket addresses.
 */
export function normalizeIp(text: string): string | undefined {
  let s = text.trim();
  if (s.length === 0 || s.length > 64) return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(s);
  if (bracketed?.[1]) s = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/.test(s)) s = s.slice(0, s.lastIndexOf(":"));
  const zone = s.indexOf("%");
  if (zone !== -1) s = s.slice(0, zone);
  const version = ipFamily(s);
  if (version === 4) return s;
  if (version !== 6) return undefined;
  const groups = expandIpv6(s);
  if (!groups) return undefined;
  // ::ffff:a.b.c.d is an IPv4 client seen through a dual-stack socket.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const hi = groups[6] ?? 0;
    const lo = groups[7] ?? 0;
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return compressIpv6(groups);
}

/** RFC 5952 text: lowercase, the longest run of two or more zero groups as `::`. */
function compressIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(":");
  const head = hex.slice(0, bestStart).join(":");
  const tail = hex.slice(bestStart + bestLength).join(":");
  return `${head}::${tail}`;
}

/** Eight 16-bit groups of a valid IPv6 address (embedded IPv4 tail included). */
function expandIpv6(address: string): number[] | undefined {
  let s = address.toLowerCase();
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = s.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(fill).fill("0"), ...right].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined;
}

/**
 * The rate-limit identity of a client address: IPv4 as is, IPv6 as its /56
 * prefix (`2001:db8:0:ab00::/56`). Anything unparseable becomes `unknown`,
 * one shared bucket — it must not become a fresh budget per string.
 */
export function rateLimitKeyForIp(ip: string): string {
  const normalized = normalizeIp(ip);
  if (!normalized) return "unknown";
  if (!normalized.includes(":")) return normalized;
  const groups = expandIpv6(normalized) ?? [];
  const [a = 0, b = 0, c = 0, d = 0] = groups;
  return `${a.toString(16)}:${b.toString(16)}:${c.toString(16)}:${(d & 0xff00).toString(16)}::/56`;
}
