/**
 * Publicly known secret values: the old default of the system this product
 * replaces, the common entries of wallarm/jwt-secrets (MIT), framework and
 * tutorial defaults, and the most common passwords. Character metrics cannot
 * catch these (`TradingSystem2024!` has 17 distinct characters and H = 4.06),
 * only a denylist can. The list (`knownSecrets.txt`, one value per line) is
 * imported as text, so `bun build --compile` embeds it in the binary.
 *
 * Matching is exact after case folding and trimming; the list is never
 * printed, and findings never say which entry matched.
 * @module
 */
import KNOWN from "./knownSecrets.txt" with { type: "text" };

/** Prefixes that mark a value as a published default whatever follows. */
const KNOWN_PREFIXES = ["django-insecure-"];

const KNOWN_SET: ReadonlySet<string> = new Set(
  KNOWN.split("\n")
    .map((line) => line.trim().toLowerCase())
    .filter((line) => line !== ""),
);

/**
 * True when `value` is a publicly known secret: compared as given and
 * case-folded (so `Secret`, `SECRET` and `secret` all match), after trimming.
 */
export function isKnownSecret(value: string): boolean {
  const folded = value.trim().toLowerCase();
  if (KNOWN_SET.has(folded)) return true;
  return KNOWN_PREFIXES.some((prefix) => folded.startsWith(prefix));
}

/** How many entries the denylist holds (for the docs and tests, never the entries). */
export const knownSecretCount = (): number => KNOWN_SET.size;
