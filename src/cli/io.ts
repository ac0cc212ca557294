/**
 * Where a command writes. Commands take this instead of touching
 * `process.stdout` so tests can run them in-process and read what they said.
 * @module
 */
import { writeStdio } from "../telemetry/stdio.ts";

/** Output streams of a command. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The real process streams. */
export const processIo: CommandIo = {
  stdout: (text) => writeStdio(1, text),
  stderr: (text) => writeStdio(2, text),
};

/** Exit codes (pinned): 0 fine, 1 violations / refused, 2 usage error. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
