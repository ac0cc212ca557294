/**
 * What the admin bootstrap remembers between starts (`settings`,
 * `auth.admin_bootstrap`): which configured hash it applied last, to which
 * account, and which configured hashes it applied before and were replaced.
 * Only SHA-256 fingerprints of hash strings are kept, never a password or a hash.
 * @module
 */

/** Fingerprints of replaced hashes kept; a start with any of them is refused. */
export const RETIRED_KEPT = 32;

/** The remembered state of the bootstrap admin. */
export interface BootstrapRecord {
  /** Fingerprint of the configured hash applied last. */
  fingerprint: string;
  /** The account it was applied to; absent in records written before it was kept. */
  userId?: string;
  /** Fingerprints of hashes applied earlier and replaced since, newest first. */
  retired: string[];
}

const HEX_64 = /^[0-9a-f]{64}$/;

/** SHA-256 of a configured hash string (Bun.CryptoHasher: node:crypto's first use costs ms at start). */
export const fingerprintOf = (hash: string): string =>
  new Bun.CryptoHasher("sha256").update(hash).digest("hex");

/**
 * Reads a stored record. Earlier versions stored the bare fingerprint. An
 * unreadable value reads as no record: the configured hash is then applied,
 * which is what the operator configured.
 */
export function parseBootstrapRecord(text: string | undefined): BootstrapRecord | undefined {
  if (text === undefined) return undefined;
  if (HEX_64.test(text)) return { fingerprint: text, retired: [] };
  try {
    const value = JSON.parse(text) as Partial<BootstrapRecord>;
    if (typeof value.fingerprint !== "string" || !HEX_64.test(value.fingerprint)) return undefined;
    return {
      fingerprint: value.fingerprint,
      ...(typeof value.userId === "string" && { userId: value.userId }),
      retired: Array.isArray(value.retired)
        ? value.retired.filter((f): f is string => typeof f === "string" && HEX_64.test(f))
        : [],
    };
  } catch {
    return undefined;
  }
}

/** The record after applying `fingerprint` to `userId`: the one it replaces is retired. */
export function appliedRecord(
  previous: BootstrapRecord | undefined,
  fingerprint: string,
  userId: string,
): BootstrapRecord {
  const replaced = previous && previous.fingerprint !== fingerprint ? [previous.fingerprint] : [];
  const retired = [...replaced, ...(previous?.retired ?? [])].filter((f) => f !== fingerprint);
  return { fingerprint, userId, retired: [...new Set(retired)].slice(0, RETIRED_KEPT) };
}
