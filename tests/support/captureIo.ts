/** A CommandIo that records what a command wrote, for in-process CLI tests. */
import type { CommandIo } from "../../src/cli/io.ts";

/** Captured output plus the io to hand to the command. */
export function captureIo(): { io: CommandIo; stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: (s) => {
        out.push(s);
      },
      stderr: (s) => {
        err.push(s);
      },
    },
    stdout: () => out.join(""),
    stderr: () => err.join(""),
  };
}
