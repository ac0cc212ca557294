/**
 * The version every output names (`--version`, the `listening` line, `sys_startup`, spans'
 * `service.version`): the package version, plus the build's git revision as semver build
 * metadata when the build knew it (`0.1.0+3f2a1bc4d5e6`). The package version stays 0.1.0
 * until the first release, so without the revision two builds could not be told apart during
 * an upgrade or a rollback.
 * @module
 */
import pkg from "../package.json" with { type: "json" };

// Replaced by `bun build --define` (scripts/build.ts); undeclared in a source run.
declare const BUILD_REVISION: string | undefined;

const revision = typeof BUILD_REVISION === "string" ? BUILD_REVISION : "";

/** `0.1.0`, or `0.1.0+<revision>` for a build that knew its revision. */
export const VERSION = revision ? `${pkg.version}+${revision}` : pkg.version;
