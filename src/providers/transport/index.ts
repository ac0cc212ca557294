/**
 * The HTTP transport the real adapters share.
 * @module
 */
export {
  buildUrl,
  type CallContext,
  getJson,
  type JsonRequest,
  QUOTE_BODY_BYTES,
  reserveRequests,
  SENTIMENT_BODY_BYTES,
  withCallContext,
} from "./httpJson.ts";
export { retryAfterMs } from "./retryAfter.ts";
