/**
 * Reads one secret line from stdin. On a terminal the input is not echoed
 * (raw mode, nothing written back); from a pipe, all of stdin is read and a
 * single trailing newline removed, so `printf %s "$PW" | …` and `echo "$PW" | …`
 * hash the same password. Input must be UTF-8: replacing a bad byte with
 * U+FFFD would make `pa\xffss` and `pa\xfess` one password (login refuses
 * such bytes too).
 * @module
 */

const MAX_BYTES = 4096;
const NOT_UTF8 = "input is not valid UTF-8";

/** Reads the secret; rejects when input is not UTF-8 or exceeds 4 KiB. */
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
  let text: string;
  try {
    // ignoreBOM keeps a leading U+FEFF: it is part of the password, as it is in a login's JSON string.
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new Error(NOT_UTF8);
  }
  return text.replace(/\r?\n$/, "");
}

/**
 * Line editing in raw mode, as a terminal's own would do it: Enter or Ctrl-D
 * ends the line, Backspace deletes a character, Ctrl-U the whole line,
 * Ctrl-C gives up. Bytes are decoded as a stream, so a character split
 * across two reads stays whole.
 */
function readFromTerminal(prompt: string, writePrompt: (s: string) => void): Promise<string> {
  const stdin = process.stdin;
  writePrompt(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
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
      let text: string;
      try {
        text = decoder.decode(data, { stream: true });
      } catch {
        return finish(new Error(NOT_UTF8));
      }
      for (const ch of text) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return finish();
        if (ch === "\u0003") return finish(new Error("interrupted"));
        if (ch === "\u0015") value = "";
        else if (ch === "\u007f" || ch === "\b") value = [...value].slice(0, -1).join("");
        else value += ch;
        if (Buffer.byteLength(value) > MAX_BYTES) return finish(new Error("input is too long"));
      }
    };
    stdin.on("data", onData);
  });
}
