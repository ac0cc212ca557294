/**
 * Decoding a provider body ourselves, with a bound on what it expands to.
 *
 * Bun's fetch decompresses on its HTTP thread; after the reader is cancelled
 * at the body cap it still inflates the whole stream, and every other fetch
 * of the process waits: a probe's 1 718-byte brotli body (1 GiB inflated) held
 * 1.4 GB and stalled another provider's request past its 5 s deadline. So
 * bodies are fetched as sent (`decompress: false`), capped compressed, and
 * decoded here with `maxOutputLength`, which stops zlib at the cap (~10–25 ms
 * for a 1 GiB bomb).
 * @module
 */
import type * as Zlib from "node:zlib";

/** What we accept: every coding below is decoded with an output bound. */
export const ACCEPT_ENCODING = "gzip, br";

/** The body could not be decoded: an unsupported coding, or corrupt data. */
export class UndecodableBodyError extends Error {
  readonly isUndecodableBodyError = true;
  override readonly name = "UndecodableBodyError";
}

/** True when `e` is an {@link UndecodableBodyError}. */
export const isUndecodableBodyError = (e: unknown): e is UndecodableBodyError =>
  typeof e === "object" &&
  e !== null &&
  (e as { isUndecodableBodyError?: unknown }).isUndecodableBodyError === true;

/** Only `maxOutputLength` is ever passed, an option every decoder shares. */
type Decoder = (data: Buffer, options: { maxOutputLength: number }) => Buffer;

let zlib: typeof Zlib | undefined;
/** node:zlib on first compressed body: most starts never see one. */
const loadZlib = () => {
  zlib ??= require("node:zlib") as typeof Zlib;
  return zlib;
};

function decoderFor(coding: string): Decoder | undefined {
  switch (coding) {
    case "gzip":
    case "x-gzip":
      return loadZlib().gunzipSync;
    case "deflate":
      return loadZlib().inflateSync;
    case "br":
      return loadZlib().brotliDecompressSync;
    case "zstd":
      return loadZlib().zstdDecompressSync;
    default:
      return undefined;
  }
}

/**
 * `body` decoded per the `Content-Encoding` header: the bytes, or undefined
 * when they would exceed `maxBytes`. Throws {@link UndecodableBodyError} for a
 * coding we do not support (or a chain of several) and for corrupt data.
 */
export function decodeBody(
  body: Buffer,
  contentEncoding: string | null,
  maxBytes: number,
): Buffer | undefined {
  const codings = (contentEncoding ?? "")
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity");
  if (codings.length === 0) return body;
  const decode = codings.length === 1 ? decoderFor(codings[0] as string) : undefined;
  if (!decode) {
    throw new UndecodableBodyError(
      `unsupported content-encoding ${JSON.stringify(codings.join(", "))}`,
    );
  }
  try {
    return decode(body, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code === "ERR_BUFFER_TOO_LARGE") return undefined;
    throw new UndecodableBodyError(`corrupt ${codings[0]} body`);
  }
}
