/** Awaiting a provider call that must fail. */
import { expect } from "bun:test";
import { isProviderError, type ProviderError } from "../../../src/providers/index.ts";

/**
 * The ProviderError `p` rejects with; throws when it resolves or rejects with
 * anything else. With `secret`, also checks that the message does not carry it.
 */
export async function failure(p: Promise<unknown>, secret?: string): Promise<ProviderError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isProviderError(error)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  if (secret !== undefined) expect(error.message).not.toContain(secret);
  return error;
}
