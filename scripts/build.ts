/**
 * `bun run build` → `dist/trading-server`, one self-contained executable.
 *
 * Flags (see docs/deploy.md): `--production` so NODE_ENV is not frozen to
 * "development"; `--bytecode --format=esm` for start-up time (bytecode
 * defaults to CJS, which breaks top-level await); no autoloading of a `.env`
 * or `bunfig.toml` from the working directory, which would let a stray file
 * change a production server's configuration.
 */
import { $ } from "bun";

const outfile = process.argv[2] ?? "dist/trading-server";
const started = performance.now();
await $`bun build src/main.ts --compile --production --bytecode --format=esm --sourcemap --no-compile-autoload-dotenv --no-compile-autoload-bunfig --outfile ${outfile}`.quiet();
const size = Bun.file(outfile).size;
console.log(
  `built ${outfile} (${(size / 1e6).toFixed(1)} MB) in ${Math.round(performance.now() - started)} ms`,
);
