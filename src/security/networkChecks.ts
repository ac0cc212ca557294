/**
 * Network checks (net.*): how the client address is found (TRUST_PROXY) and
 * where the server listens (HOST). TRUST_PROXY's syntax is env.004's job.
 * @module
 */
import { ipFamily } from "../net/ipFamily.ts";
import type { CheckInput, FindingList } from "./types.ts";

/** Deeper proxy chains than this are almost always a miscount. */
const MAX_PLAUSIBLE_HOPS = 3;
const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Runs net.001–005. */
export function checkNetwork(input: CheckInput, out: FindingList): void {
  const trustProxy = input.get("TRUST_PROXY")?.trim();
  const onFly = input.get("FLY_APP_NAME") !== undefined;

  if (trustProxy === "fly" && !onFly) {
    out.add({
      id: "net.001",
      levels: "W/W/I",
      variable: "TRUST_PROXY",
      message: "is fly but FLY_APP_NAME is unset: any client could forge Fly-Client-IP",
      hint: "Use TRUST_PROXY=fly only on Fly.io; elsewhere use xff:N or leave it unset.",
    });
  }
  const hops = /^xff:(\d+)$/.exec(trustProxy ?? "")?.[1];
  if (hops !== undefined && Number(hops) > MAX_PLAUSIBLE_HOPS) {
    out.add({
      id: "net.002",
      levels: "W/W/I",
      variable: "TRUST_PROXY",
      message: `trusts more than ${MAX_PLAUSIBLE_HOPS} proxies; a miscount lets clients pick their IP`,
      hint: "Set N to the number of proxies you run in front of the server (usually 1).",
    });
  }
  if (hops !== undefined && onFly) {
    out.add({
      id: "net.002",
      levels: "I/I/I",
      variable: "TRUST_PROXY",
      message: "is xff:N on Fly.io, where Fly-Client-IP is the simpler, exact source",
      hint: "Use TRUST_PROXY=fly on Fly.io.",
    });
  }
  if (trustProxy === undefined && onFly) {
    out.add({
      id: "net.005",
      levels: "W/W/-",
      variable: "TRUST_PROXY",
      message: "is unset on Fly.io: every client looks like the Fly proxy to rate limits",
      hint: "Set TRUST_PROXY=fly.",
    });
  }

  const host = input.get("HOST")?.trim();
  if (host === undefined) return;
  const bare = host.replace(/^\[|\]$/g, "");
  // All digits and dots is an IPv4 address or nothing: 256.1.1.1 is a valid DNS label shape.
  const dottedDigits = /^[\d.]+$/.test(bare);
  if (ipFamily(bare) === 0 && (dottedDigits || !HOSTNAME.test(bare))) {
    out.add({
      id: "net.003",
      levels: "E/E/E",
      variable: "HOST",
      message: "is not an IP address or host name (no scheme, port or path)",
      hint: "Use 0.0.0.0, ::, 127.0.0.1 or a host name.",
    });
  } else if (bare === "0.0.0.0" || bare === "::") {
    out.add({
      id: "net.004",
      levels: "-/-/I",
      variable: "HOST",
      message: "listens on every interface in development (reachable from the network)",
      hint: "Unset HOST in development to listen on 127.0.0.1 only.",
    });
  }
}
