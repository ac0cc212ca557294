/**
 * The HTTP transport the real adapters share.
 * @module
 */
export {
  buildUrl,
  type CallContext,
  getJson,
  type JsonRequest,
  reserveRequests,
  withCallContext,
} from "./httpJson.ts";
export { retryAfterMs } from "./retryAfter.ts";
