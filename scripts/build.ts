/**
 * `bun run build` → `dist/trading-server`, one self-contained executable.
 *
 * Flags (see docs/deploy.md): `--production` so NODE_ENV is not frozen to
 * "development"; `--bytecode --format=esm` for start-up time (bytecode
 * defaults to CJS, which breaks top-level await); no autoloading of a `.env`
 * or `bunfig.toml` from the working directory, which would let a stray file
 * change a production server's configuration; the git revision as build
 * metadata of the version (src/version.ts).
 */
import { $ } from "bun";

const outfile = process.argv[2] ?? "dist/trading-server";
const started = performance.now();
const revision = await buildRevision();
await $`bun build src/main.ts --compile --production --bytecode --format=esm --sourcemap --no-compile-autoload-dotenv --no-compile-autoload-bunfig --define ${`BUILD_REVISION=${JSON.stringify(revision)}`} --outfile ${outfile}`.quiet();
const size = Bun.file(outfile).size;
console.log(
  `built ${outfile} (${(size / 1e6).toFixed(1)} MB${revision ? `, revision ${revision}` : ""}) in ${Math.round(performance.now() - started)} ms`,
);

/**
 * The revision the binary reports (src/version.ts): `BUILD_REVISION` when set (a Docker build
 * has no `.git`: `--build-arg BUILD_REVISION=…`), else git's commit with `-dirty` for
 * uncommitted changes, else none. Only semver build-metadata characters pass.
 */
async function buildRevision(): Promise<string> {
  const given = process.env.BUILD_REVISION?.trim();
  let found = given ?? "";
  if (!found) {
    const commit = await $`git rev-parse --short=12 HEAD`.quiet().nothrow();
    const changes = await $`git status --porcelain --untracked-files=no`.quiet().nothrow();
    const dirty = changes.exitCode === 0 && changes.stdout.toString().trim() !== "";
    if (commit.exitCode === 0) found = `${commit.stdout.toString().trim()}${dirty ? "-dirty" : ""}`;
  }
  return /^[0-9A-Za-z.-]{1,64}$/.test(found) ? found : "";
}
