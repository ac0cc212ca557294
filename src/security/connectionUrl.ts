/**
 * Reads the parts of a connection URL (`postgres://`, `redis://`) that the
 * rules need. Never throws and never echoes the input: callers report a
 * malformed URL by variable name only.
 * @module
 */

/** The security-relevant parts of a connection URL. */
export interface ConnectionUrl {
  /** Lowercase scheme without the colon: `postgres`, `rediss`, … */
  scheme: string;
  /** Host without IPv6 brackets; empty for a Unix socket. */
  host: string;
  /** Decoded user name; empty when absent. */
  username: string;
  /** Decoded password, or undefined when the URL has none (`user@host`). */
  password: string | undefined;
  /** Query parameters (`sslmode`, `host`, …). */
  params: URLSearchParams;
}

/** Parses `text`, or returns undefined when it is not a URL. */
export function parseConnectionUrl(text: string): ConnectionUrl | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  // URL cannot tell `user@host` from `user:@host`; the raw authority can.
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(text.trim())?.[1] ?? "";
  const at = authority.lastIndexOf("@");
  const userInfo = at === -1 ? "" : authority.slice(0, at);
  const hasPassword = userInfo.includes(":");
  const socketHost = url.searchParams.get("host") ?? "";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return {
    scheme: url.protocol.replace(/:$/, "").toLowerCase(),
    host: host !== "" ? host : socketHost.startsWith("/") ? "" : socketHost,
    username: decode(url.username),
    password: hasPassword ? decode(url.password) : undefined,
    params: url.searchParams,
  };
}
