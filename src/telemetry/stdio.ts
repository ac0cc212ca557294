/**
 * Synchronous writes to stdout and stderr, for log lines and command output.
 *
 * `process.stderr` costs 6–8 ms on its first write in the compiled binary
 * (it builds Node's stream machinery), paid at every start. A direct
 * `writeSync` on the descriptor costs ~0.5 ms once, keeps lines whole and in
 * order, and cannot lose output queued before `process.exit` — the same
 * trade pino makes with synchronous destinations. A descriptor that would
 * block (`EAGAIN`, a non-blocking pipe) hands the rest to the stream, which
 * queues it, and the stream keeps that descriptor from then on so lines stay
 * in order. Any other failure (`ENOSPC`, `EBADF`, `EPIPE`) is recorded, so a
 * command whose output was lost does not exit 0.
 *
 * The trade: a reader that stops reading a blocking pipe stalls the server at
 * its next line, as with any synchronous logger. Fly, systemd and Docker all
 * drain their processes' output; don't pipe the server into a pager.
 * @module
 */
import { writeSync } from "node:fs";

/** Descriptors handed over to their stream after a write that would have blocked. */
const streamed = new Set<number>();
/** Descriptors a write failed on (a full disk, a closed descriptor, a reader gone). */
const failed = new Set<number>();

/** True once a write to `fd` failed: the output is incomplete. */
export function stdioFailed(fd: 1 | 2): boolean {
  return failed.has(fd);
}

/**
 * Writes all of `text` to `fd` (1 or 2). A failure is remembered
 * ({@link stdioFailed}), not thrown: a log line must not take a request
 * down, and a command turns it into its exit code (main.ts).
 */
export function writeStdio(fd: 1 | 2, text: string): void {
  const stream = () => (fd === 1 ? process.stdout : process.stderr);
  const onStreamError = (error: Error | null | undefined) => {
    if (error) failed.add(fd);
  };
  if (streamed.has(fd)) {
    stream().write(text, onStreamError);
    return;
  }
  const bytes = Buffer.from(text, "utf8");
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(fd, bytes, written);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EAGAIN") {
      failed.add(fd);
      return;
    }
    streamed.add(fd);
    stream().write(bytes.subarray(written), onStreamError);
  }
}
