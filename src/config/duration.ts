/**
 * Durations as operators write them: `250ms`, `30s`, `15m`, `12h`, `7d`, or a
 * sum such as `1h30m`. A bare number is rejected on purpose: `15` could mean
 * seconds or minutes, and guessing wrong on a token lifetime is a security bug.
 * @module
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const WHOLE = /^(?:\d{1,9}(?:ms|s|m|h|d))+$/;
const PART = /(\d{1,9})(ms|s|m|h|d)/g;

/** Parses a duration to milliseconds, or returns `undefined` when it is not one. */
export function parseDuration(text: string): number | undefined {
  const value = text.trim();
  if (!WHOLE.test(value)) return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(PART)) {
    total += Number(amount) * (UNIT_MS[unit as string] as number);
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** Renders milliseconds in the largest unit that divides them (`900000` → `15m`). */
export function formatDuration(ms: number): string {
  for (const unit of ["d", "h", "m", "s"] as const) {
    const size = UNIT_MS[unit] as number;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
