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
/**
 * Bytes handed to a descriptor's stream and not yet written. The stream queues
 * without limit: with the reader stalled, an audit grew the server by 7 MB per
 * 10 000 health checks. Past {@link MAX_BACKLOG_BYTES} (bytes plus a per-write
 * allowance) lines are dropped and counted, and the count goes out with the
 * first line written once the backlog is under the cap again.
 */
const backlog = new Map<number, number>();
const dropped = new Map<number, number>();
/** Output queued for a slow reader before lines are dropped. */
export const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
/**
 * What a queued write costs beyond its bytes (its buffer, callback and the stream's entry),
 * measured: counting bytes alone let 100-byte lines take ~10 times the cap in memory.
 */
const WRITE_OVERHEAD_BYTES = 1024;
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
  if (streamed.has(fd)) {
    queue(fd, stream(), Buffer.from(text, "utf8"));
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
    queue(fd, stream(), bytes.subarray(written));
  }
}

/**
 * Hands `bytes` to the stream of `fd`, or drops them when its backlog is full:
 * output then is incomplete ({@link stdioFailed}). On stderr, the first line
 * after a gap says how many were lost.
 */
function queue(fd: 1 | 2, stream: NodeJS.WriteStream, bytes: Buffer): void {
  const pending = backlog.get(fd) ?? 0;
  if (pending + bytes.length + WRITE_OVERHEAD_BYTES > MAX_BACKLOG_BYTES) {
    dropped.set(fd, (dropped.get(fd) ?? 0) + 1);
    failed.add(fd);
    return;
  }
  const lost = dropped.get(fd);
  if (lost !== undefined && fd === 2) {
    dropped.delete(fd);
    const notice = `${JSON.stringify({
      time: new Date().toISOString(),
      level: "warn",
      msg: "log lines dropped: the reader fell behind",
      dropped: lost,
    })}\n`;
    send(fd, stream, Buffer.from(notice, "utf8"));
  }
  send(fd, stream, bytes);
}

function send(fd: 1 | 2, stream: NodeJS.WriteStream, bytes: Buffer): void {
  const cost = bytes.length + WRITE_OVERHEAD_BYTES;
  backlog.set(fd, (backlog.get(fd) ?? 0) + cost);
  stream.write(bytes, (error) => {
    backlog.set(fd, (backlog.get(fd) ?? 0) - cost);
    if (error) failed.add(fd);
  });
}

/** Lines dropped on `fd` since the last notice (tests and diagnostics). */
export function droppedLines(fd: 1 | 2): number {
  return dropped.get(fd) ?? 0;
}
