/**
 * Hosts where plain-text Redis/PostgreSQL is accepted (DESIGN §5): loopback,
 * and Fly.io's private network (`*.internal`, `*.flycast`, `fdaa::/16`, and,
 * on Fly, its Upstash Redis endpoints), which WireGuard already encrypts.
 * Everything else needs TLS in production.
 * @module
 */
import { ipFamily } from "../net/ipFamily.ts";

/** True for loopback and Fly.io private-network hosts. `host` may carry IPv6 brackets. */
export function isTrustedHost(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
  // An empty host means a Unix socket (libpq) or the client's loopback default. Only the bare
  // `localhost`: glibc resolves `cache.localhost` through DNS, which may answer with any host.
  if (name === "" || name === "localhost") return true;
  if (name.endsWith(".internal") || name.endsWith(".flycast")) return true;
  const family = ipFamily(name);
  if (family === 4) return name.startsWith("127.");
  if (family === 6) return isTrustedIpv6(name);
  return false;
}

function isTrustedIpv6(address: string): boolean {
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return (mapped[1] as string).startsWith("127.");
  // The same in hex, as the URL parser writes it back: `[::ffff:127.0.0.1]` → `[::ffff:7f00:1]`.
  const mappedHex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(address);
  if (mappedHex) return Number.parseInt(mappedHex[1] as string, 16) >> 8 === 127;
  if (/^(?:0{0,4}:){2,7}0{0,3}1$/.test(address) || address === "::1") return true;
  const first = address.split(":")[0] ?? "";
  return first !== "" && Number.parseInt(first, 16) === 0xfdaa && first.length <= 4;
}

/**
 * The private endpoint of an Upstash Redis that `fly redis create` provisions
 * inside a Fly organization (`redis://…@fly-<name>.upstash.io`): it resolves to
 * a 6PN address (`fdaa::/16`), reached over WireGuard. Trusted only on Fly
 * (the caller checks `FLY_APP_NAME`); Upstash's public endpoints are TLS-only
 * and named by region, never `fly-…`.
 */
export function isFlyUpstashHost(host: string): boolean {
  return /^fly-[a-z0-9-]+\.upstash\.io\.?$/.test(host.trim().toLowerCase());
}
