/**
 * Caps request bodies before anything reads them. The declared
 * `Content-Length` is checked first (cheap rejection); a chunked or lying body
 * is counted while streaming, so neither can exhaust memory.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";

/** Rejects bodies over `maxBytes` with 413 `payload_too_large`. */
export const bodyLimit = (maxBytes: number): MiddlewareHandler<AppEnv> =>
  honoBodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError("payload_too_large", {
        message: `The request body exceeds ${maxBytes} bytes.`,
      });
    },
  });
