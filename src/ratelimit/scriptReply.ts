/**
 * The reply of the GCRA script (`gcra.lua`):
 * `[now, late, ([allowed, wait_1 … wait_m] × decisions)]`, integers only.
 * Checked as a whole before the store counts it as Redis answering, then read
 * decision by decision.
 * @module
 */
import { evaluateGcra, type GcraEvaluation, type GcraParams } from "./gcra.ts";

/** A non-negative safe integer, as every element of the script's reply is. */
const isCount = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/**
 * What is wrong with a script reply as a whole, or undefined: `script_error`
 * unless every element is an integer the script computed and the late flag is
 * 0 or 1 (a RESP3 boolean, a string or a null comes from a broken
 * Redis-compatible server or a tampered connection; coerced, `true` read as
 * "allowed" and `null` as "not late"); `timeout` when the call ran after its
 * deadline and wrote nothing. The store checks this before it counts a reply
 * as the store answering.
 */
export function replyProblem(reply: unknown): "script_error" | "timeout" | undefined {
  if (!Array.isArray(reply) || reply.length < REPLY_HEADER || !reply.every(isCount)) {
    return "script_error";
  }
  if (reply[1] === 1) return "timeout";
  return reply[1] === 0 ? undefined : "script_error";
}

/** Elements before the decisions in a reply: Redis's instant and the late flag. */
export const REPLY_HEADER = 2;

/**
 * One decision's outcome from its waits, relative to now = 0 (the GCRA math
 * only depends on TATs relative to now). The script and this must agree on
 * `allowed`; if they ever did not, the reply is not trusted (undefined).
 */
export function evaluateReply(
  reply: number[],
  at: number,
  params: GcraParams[],
): GcraEvaluation | undefined {
  const allowed = reply[at];
  if (allowed !== 0 && allowed !== 1) return undefined;
  const waits = reply.slice(at + 1, at + 1 + params.length);
  const evaluation = evaluateGcra(params, waits, 0);
  return evaluation.allowed === (allowed === 1) ? evaluation : undefined;
}
