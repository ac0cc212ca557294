/**
 * `--flag=value` split at its first `=`, so a value keeps every `=` after it
 * (`--environment=a=b` is the value `a=b`, refused as such, not `a`).
 * @module
 */

/** The flag and its inline value (undefined when the argument has no `=`). */
export function splitFlag(arg: string): [flag: string, inline: string | undefined] {
  const eq = arg.indexOf("=");
  return eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}
