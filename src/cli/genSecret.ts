/**
 * `gen-secret [--bytes N]`: prints a random secret, base64url, from the OS
 * CSPRNG. 32 bytes by default (256 bits, the HS256 key size).
 * @module
 */
import { type CommandIo, EXIT } from "./io.ts";
import { splitFlag } from "./splitFlag.ts";

const MIN_BYTES = 16;
const MAX_BYTES = 1024;

/** Runs the command; returns the exit code. */
export function runGenSecret(args: string[], io: CommandIo): number {
  let bytes = 32;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] = splitFlag(arg);
    if (flag !== "--bytes") {
      io.stderr(
        `gen-secret: unknown option ${JSON.stringify(arg)}\nusage: trading-server gen-secret [--bytes N]\n`,
      );
      return EXIT.usage;
    }
    const value = inline ?? args[++i];
    const n = value !== undefined && /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
    if (!(n >= MIN_BYTES && n <= MAX_BYTES)) {
      io.stderr(`gen-secret: --bytes must be a whole number from ${MIN_BYTES} to ${MAX_BYTES}\n`);
      return EXIT.usage;
    }
    bytes = n;
  }
  // Web Crypto, not node:crypto: its import is hoisted into every start of the binary.
  const secret = crypto.getRandomValues(new Uint8Array(bytes));
  io.stdout(`${Buffer.from(secret).toString("base64url")}\n`);
  return EXIT.ok;
}
