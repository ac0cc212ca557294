/**
 * `gen-secret [--bytes N]`: prints a random secret, base64url, from the OS
 * CSPRNG. 32 bytes by default (256 bits, the HS256 key size).
 *
 * What it prints passes `check`'s secret rules: at least 24 bytes (32
 * characters, the check's minimum), and a draw the rules would flag is drawn
 * again (about 1.5 in 10 000 at 24 bytes, mostly too few distinct characters
 * for the entropy rule; rarely a placeholder word such as `-dev` or `your-`).
 * @module
 */
import { assessSecret } from "../security/secretStrength.ts";
import { type CommandIo, EXIT } from "./io.ts";
import { splitFlag } from "./splitFlag.ts";

/** 24 bytes are 32 base64url characters: MIN_SECRET_LENGTH. */
const MIN_BYTES = 24;
const MAX_BYTES = 1024;
/** Draws before giving up; each is flagged with probability below 1e-3. */
const MAX_DRAWS = 64;

/** A random base64url secret of `bytes` bytes that the check's secret rules accept. */
export function drawSecret(
  bytes: number,
  random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n)),
): string {
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    // Web Crypto, not node:crypto: its import is hoisted into every start of the binary.
    const secret = Buffer.from(random(bytes)).toString("base64url");
    if (assessSecret(secret) === undefined) return secret;
  }
  throw new Error("gen-secret: no acceptable secret drawn; the random source is broken");
}

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
  let secret: string;
  try {
    secret = drawSecret(bytes);
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : "gen-secret: failed"}\n`);
    return EXIT.failure;
  }
  io.stdout(`${secret}\n`);
  return EXIT.ok;
}
