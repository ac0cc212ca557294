/**
 * A log reader that stops reading a non-blocking pipe does not grow the
 * server without limit: past MAX_BACKLOG_BYTES queued, lines are dropped and
 * counted (an audit grew the process by 7 MB per 10 000 health checks).
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { MAX_BACKLOG_BYTES } from "../../src/telemetry/stdio.ts";

const FIXTURE = join(import.meta.dir, "fixtures", "stalledStderr.ts");

test.skipIf(process.platform !== "linux")(
  "20 MB of lines into a stalled pipe: what is past the cap is dropped, not queued",
  async () => {
    const proc = Bun.spawn([process.execPath, FIXTURE], {
      stdout: "pipe",
      stderr: "ignore",
      env: { PATH: process.env.PATH ?? "", LINES: "20000" },
    });
    const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    expect(code).toBe(0);
    const { dropped } = JSON.parse(out) as { dropped: number };
    // 20 000 lines of 1 001 bytes, each counted with 1 KiB of bookkeeping: about 4 100 fit
    // under the cap (plus the pipe's own buffer).
    const kept = 20_000 - dropped;
    const perLine = 1_001 + 1_024;
    expect(kept).toBeGreaterThan(MAX_BACKLOG_BYTES / perLine - 100);
    expect(kept).toBeLessThan(MAX_BACKLOG_BYTES / perLine + 1_100);
  },
);
