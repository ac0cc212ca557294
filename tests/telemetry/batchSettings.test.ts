import { expect, test } from "bun:test";
import { batchSettings } from "../../src/telemetry/batchSettings.ts";

const defaults = {
  maxExportBatchSize: 512,
  maxQueueSize: 2_048,
  scheduledDelayMillis: 5_000,
  exportTimeoutMillis: 30_000,
};

function read(env: Record<string, string | undefined>) {
  const warned: unknown[] = [];
  const settings = batchSettings(env, { warn: (_msg, fields) => warned.push(fields) });
  return { settings, warned };
}

test("unset: the SDK's defaults, given explicitly so the SDK reads nothing itself", () => {
  expect(read({})).toEqual({ settings: defaults, warned: [] });
});

test("whole numbers in range are taken; a batch larger than the queue shrinks to it", () => {
  const { settings, warned } = read({
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: " 64 ",
    OTEL_BSP_MAX_QUEUE_SIZE: "32",
    OTEL_BSP_SCHEDULE_DELAY: "0",
    OTEL_BSP_EXPORT_TIMEOUT: "1000",
  });
  expect(settings).toEqual({
    maxExportBatchSize: 32,
    maxQueueSize: 32,
    scheduledDelayMillis: 0,
    exportTimeoutMillis: 1_000,
  });
  expect(warned).toEqual([]);
});

test.each(["0", "-1", "1.5", "1e3", "0x10", "NaN", "Infinity", "999999999999", "abc"])(
  "%p for the batch size is ignored with a warning naming the variable",
  (value) => {
    const { settings, warned } = read({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: value });
    expect(settings).toEqual(defaults);
    expect(warned).toEqual([{ variables: ["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"] }]);
  },
);

test("a zero queue or timeout is ignored too; an empty value is unset", () => {
  const { settings, warned } = read({
    OTEL_BSP_MAX_QUEUE_SIZE: "0",
    OTEL_BSP_EXPORT_TIMEOUT: "0",
    OTEL_BSP_SCHEDULE_DELAY: "  ",
  });
  expect(settings).toEqual(defaults);
  expect(warned).toEqual([{ variables: ["OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_EXPORT_TIMEOUT"] }]);
});
