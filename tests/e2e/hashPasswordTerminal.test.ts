/**
 * `hash-password` on a terminal (a pseudo-terminal from util-linux `script`):
 * the password is asked twice and never echoed, and two different entries
 * hash nothing. Each line is typed only once its prompt is on the screen, as a
 * person would, so nothing reaches the terminal before raw mode is on.
 */
import { expect, test } from "bun:test";
import { verify } from "@node-rs/argon2";
import { compiledBinary } from "./support/binary.ts";
import { baseEnv } from "./support/process.ts";

const script = Bun.which("script");

/** Runs hash-password on a terminal, typing each of `lines` after the next prompt appears. */
async function typed(lines: string[]): Promise<{ code: number; screen: string }> {
  const proc = Bun.spawn(
    [script as string, "-qec", `${await compiledBinary()} hash-password`, "/dev/null"],
    {
      env: baseEnv(),
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
  let screen = "";
  let prompts = 0;
  const decoder = new TextDecoder();
  for await (const chunk of proc.stdout) {
    screen += decoder.decode(chunk);
    const seen = (screen.match(/Password: |Again: /g) ?? []).length;
    while (prompts < seen && prompts < lines.length) {
      proc.stdin.write(`${lines[prompts]}\r`);
      proc.stdin.flush();
      prompts++;
    }
  }
  const code = await proc.exited;
  clearTimeout(timer);
  return { code, screen };
}

test.skipIf(!script)("asks twice, echoes nothing, and prints a hash of the password", async () => {
  const password = "a terminal passphrase";
  const { code, screen } = await typed([password, password]);
  expect(code).toBe(0);
  expect(screen).toContain("Again: ");
  expect(screen).not.toContain("terminal passphrase");
  const hash = /\$argon2id\$\S+/.exec(screen)?.[0] ?? "";
  expect(await verify(hash, password)).toBe(true);
});

test.skipIf(!script)("two different entries hash nothing", async () => {
  const { code, screen } = await typed(["a terminal passphrase", "a terminal passphrasf"]);
  expect(code).toBe(1);
  expect(screen).toContain("the two entries differ; nothing was hashed");
  expect(screen).not.toContain("$argon2id$");
});
