/**
 * How a provider failure reaches the client: the pinned API errors, each 503
 * with a `Retry-After` (DESIGN §6 puts the header on every 503 of a limited route).
 * @module
 */
import { isProviderError, type Served } from "../../providers/index.ts";
import {
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isTokenBucketRejectedError,
  retryAfterOf,
} from "../../resilience/index.ts";
import { ApiError } from "../errors.ts";

/**
 * `Retry-After` (seconds) of a provider failure that named no wait. A few seconds lets the
 * pipeline's breaker and backoff do their work; the open breaker then names its own wait
 * (its cool-down).
 */
const UNKNOWN_WAIT_S = 5;
/** `Retry-After` of a request the provider refused: asking again soon gets the same answer. */
const REFUSED_WAIT_S = 300;

const retryAfter = (seconds: number) => ({ "Retry-After": String(seconds) });

/** `run`'s answer; its provider failure as 404 `not_found` or 503 `provider_unavailable`. */
export async function guarded<T>(run: () => Promise<Served<T>>): Promise<Served<T>> {
  try {
    return await run();
  } catch (error) {
    if (isProviderError(error) && error.kind === "not_found")
      throw new ApiError("not_found", { message: "Unknown symbol or no data." });
    if (isProviderError(error) && error.kind === "rejected")
      throw new ApiError("provider_unavailable", {
        message: "The data provider refused this request (its symbol, range or our plan).",
        headers: retryAfter(REFUSED_WAIT_S),
      });
    const wait = retryAfterOf(error);
    const headers = retryAfter(
      wait === undefined ? UNKNOWN_WAIT_S : Math.max(1, Math.ceil(wait / 1000)),
    );
    // Load shed by design, a warning and not a page: the simulator turning long requests away,
    // and our own fail-fast (an open breaker, an empty bucket, a full bulkhead). An outage opens
    // the breaker once, with its own warning (create.ts); every request it then turns away was
    // an error line too, ~5 a second in a soak.
    const shed =
      (isProviderError(error) && error.provider === "simulated") ||
      isBrokenCircuitError(error) ||
      isTokenBucketRejectedError(error) ||
      isBulkheadRejectedError(error);
    throw new ApiError("provider_unavailable", { headers, shed });
  }
}
