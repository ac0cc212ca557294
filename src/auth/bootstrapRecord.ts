/**
 * What the admin bootstrap remembers between starts: which configured hash it
 * applied last, to which account, and which configured hashes it applied
 * before and were replaced. Only SHA-256 fingerprints of hash strings are
 * kept, never a password or a hash.
 *
 * Two settings: `auth.admin_bootstrap` holds the bare fingerprint applied
 * last, the format every earlier version reads, so a binary rolled back to
 * one of them sees "unchanged" instead of resetting the admin (and signing it
 * out) over a value it cannot parse. `auth.admin_bootstrap_history` holds the
 * rest. When the two disagree, an earlier version applied a new hash since:
 * the history's hash counts as replaced, and the account is not known.
 * @module
 */
import type { Executor } from "../storage/index.ts";
import { readSetting, SETTING, writeSetting } from "./settings.ts";

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

/** Reads the record from both settings (see the module comment). */
export async function readBootstrapRecord(db: Executor): Promise<BootstrapRecord | undefined> {
  const last = parseBootstrapRecord(await readSetting(db, SETTING.adminBootstrap));
  if (!last) return undefined;
  const history = parseBootstrapRecord(await readSetting(db, SETTING.adminBootstrapHistory));
  if (!history) return last;
  if (history.fingerprint === last.fingerprint) {
    return { ...history, retired: [...new Set([...history.retired, ...last.retired])] };
  }
  const { userId: _unknown, ...applied } = appliedRecord(history, last.fingerprint, "");
  return applied;
}

/** Writes `record`: the bare fingerprint where every version reads it, the rest beside it. */
export async function writeBootstrapRecord(
  db: Executor,
  record: BootstrapRecord,
  now: number,
): Promise<void> {
  await writeSetting(db, SETTING.adminBootstrap, record.fingerprint, now);
  await writeSetting(db, SETTING.adminBootstrapHistory, JSON.stringify(record), now);
}
