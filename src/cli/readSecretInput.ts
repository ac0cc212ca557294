/**
 * Reads one secret line from stdin. On a terminal the input is not echoed
 * (raw mode, nothing written back); from a pipe, all of stdin is read and a
 * single trailing newline removed, so `printf %s "$PW" | …` and `echo "$PW" | …`
 * hash the same password.
 * @module
 */

const MAX_BYTES = 4096;

/** Reads the secret; rejects when input ends empty or exceeds 4 KiB. */
export async function readSecretInput(
  prompt: string,
  writePrompt: (s: string) => void,
): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) return readFromTerminal(prompt, writePrompt);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BYTES) throw new Error("input is longer than 4096 bytes");
    chunks.push(buf);
  }
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

function readFromTerminal(prompt: string, writePrompt: (s: string) => void): Promise<string> {
  const stdin = process.stdin;
  writePrompt(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      writePrompt("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\u0003") return finish(new Error("interrupted"));
        if (ch === "\u007f" || ch === "\b") value = [...value].slice(0, -1).join("");
        else value += ch;
        if (Buffer.byteLength(value) > MAX_BYTES) return finish(new Error("input is too long"));
      }
    };
    stdin.on("data", onData);
  });
}
