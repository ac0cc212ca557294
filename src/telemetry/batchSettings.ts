/**
 * The batch span processor's settings, read from `OTEL_BSP_*` here rather
 * than by the SDK. The SDK takes any number: `OTEL_BSP_MAX_EXPORT_BATCH_SIZE=0`
 * made its shutdown divide by zero and queue exports without end, and the
 * server grew until the kernel killed it (24 GB, a CLI probe), past the
 * shutdown deadline, which cannot cut in on a loop that never yields. A value
 * that is not a whole number in range is ignored, with a warning naming the
 * variable, and the default used.
 * @module
 */
import type { Logger } from "./logger.ts";

/** The batch processor's settings, each always given (an omitted one is read by the SDK itself). */
export interface BatchSettings {
  maxExportBatchSize: number;
  maxQueueSize: number;
  scheduledDelayMillis: number;
  exportTimeoutMillis: number;
}

/** Variable, setting, default, least and greatest value. */
const SETTINGS: [string, keyof BatchSettings, number, number, number][] = [
  ["OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "maxExportBatchSize", 512, 1, 100_000],
  ["OTEL_BSP_MAX_QUEUE_SIZE", "maxQueueSize", 2_048, 1, 1_000_000],
  ["OTEL_BSP_SCHEDULE_DELAY", "scheduledDelayMillis", 5_000, 0, 3_600_000],
  ["OTEL_BSP_EXPORT_TIMEOUT", "exportTimeoutMillis", 30_000, 1, 3_600_000],
];

/** Settings from `env`; values out of range are reported on `logger` and replaced by defaults. */
export function batchSettings(
  env: Record<string, string | undefined>,
  logger: Pick<Logger, "warn">,
): BatchSettings {
  const settings = {} as BatchSettings;
  const ignored: string[] = [];
  for (const [variable, setting, fallback, least, greatest] of SETTINGS) {
    const text = env[variable]?.trim();
    const value = text && /^\d+$/.test(text) ? Number(text) : Number.NaN;
    const usable = value >= least && value <= greatest;
    if (text && !usable) ignored.push(variable);
    settings[setting] = usable ? value : fallback;
  }
  // The SDK would shrink the batch to the queue with a warning of its own; said here instead.
  if (settings.maxExportBatchSize > settings.maxQueueSize) {
    settings.maxExportBatchSize = settings.maxQueueSize;
  }
  if (ignored.length > 0) {
    logger.warn("OTEL_BSP settings ignored: not a whole number in range, defaults used", {
      variables: ignored,
    });
  }
  return settings;
}
