/**
 * writeStdio: whole output, in order, even when the process exits right
 * after writing to a pipe that is slower than the writer.
 */
import { expect, test } from "bun:test";
import { resolve } from "node:path";

const MODULE = resolve(import.meta.dir, "../../src/telemetry/stdio.ts");

test("2 MiB to a pipe, then process.exit: nothing lost, nothing reordered", async () => {
  const script = `
    const { writeStdio } = await import(${JSON.stringify(MODULE)});
    for (let i = 0; i < 16384; i++) writeStdio(i % 2 ? 2 : 1, String(i).padStart(127, ".") + "\\n");
    process.exit(0);
  `;
  const proc = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
  // Read slowly at first, so the writer meets a full pipe.
  await Bun.sleep(100);
  const [out, err] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  const lines = (text: string) =>
    text
      .split("\n")
      .filter(Boolean)
      .map((l) => Number(l.replace(/^\.+/, "")));
  const odd = lines(err);
  const even = lines(out);
  expect(even).toHaveLength(8192);
  expect(odd).toHaveLength(8192);
  expect(even.every((n, i) => n === i * 2)).toBe(true);
  expect(odd.every((n, i) => n === i * 2 + 1)).toBe(true);
});
