/**
 * Compressed provider bodies are decoded by us, with the body cap applying to
 * what they expand to. A brotli bomb (1 617 bytes → 1 GiB) served over a raw
 * socket, as a provider would send it, must neither stall the process's other
 * requests nor take its memory: Bun's own decoder inflated the whole GiB on its
 * HTTP thread (a probe measured 1.3 GB and a 3.3 s stall of an unrelated fetch).
 */
import { afterAll, expect, test } from "bun:test";
import { brotliCompressSync, deflateSync, gzipSync, zstdCompressSync } from "node:zlib";
import { isProviderError } from "../../src/providers/errors.ts";
import { getJson } from "../../src/providers/transport/httpJson.ts";
import { BROTLI_BOMB } from "./fakes/brotliBomb.ts";

const CAP = 64 * 1024;
const json = Buffer.from(JSON.stringify({ bars: [{ t: "2024-01-02", c: 187.5 }] }));
const bodies: Record<string, { encoding: string; body: Uint8Array }> = {
  "/gzip": { encoding: "gzip", body: gzipSync(json) },
  "/x-gzip": { encoding: "x-gzip", body: gzipSync(json) },
  "/deflate": { encoding: "deflate", body: deflateSync(json) },
  "/br": { encoding: "br", body: brotliCompressSync(json) },
  "/zstd": { encoding: "zstd", body: zstdCompressSync(json) },
  "/identity": { encoding: "identity", body: json },
  "/gzip-bomb": { encoding: "gzip", body: gzipSync(Buffer.alloc(CAP * 64, 0x20)) },
  "/zstd-bomb": { encoding: "zstd", body: zstdCompressSync(Buffer.alloc(CAP * 64, 0x20)) },
  "/br-bomb": { encoding: "br", body: BROTLI_BOMB },
  "/truncated": { encoding: "gzip", body: gzipSync(json).subarray(0, 20) },
  "/compress": { encoding: "compress", body: json },
  "/chained": { encoding: "gzip, br", body: brotliCompressSync(gzipSync(json)) },
  "/lies": { encoding: "gzip", body: json },
};
const seenAcceptEncoding: string[] = [];

// A raw socket, not Bun.serve: the stall showed only with a provider in front of the client.
const provider = Bun.listen({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    data(socket, data) {
      const head = data.toString("latin1");
      const path = head.split(" ")[1] ?? "";
      seenAcceptEncoding.push(/^accept-encoding: (.*)$/im.exec(head)?.[1]?.trim() ?? "");
      const entry = bodies[path];
      if (!entry) return void socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n");
      socket.write(
        `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: ${entry.encoding}\r\ncontent-length: ${entry.body.byteLength}\r\n\r\n`,
      );
      socket.write(entry.body);
    },
  },
});
const other = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("ok") });
afterAll(() => {
  provider.stop(true);
  other.stop(true);
});

const get = (path: string, maxBytes = CAP) =>
  getJson(
    { provider: "fake", baseUrl: `http://127.0.0.1:${provider.port}`, path, maxBytes },
    new AbortController().signal,
  );

test.each(["/gzip", "/x-gzip", "/deflate", "/br", "/zstd", "/identity"])(
  "%s is decoded",
  async (path) => {
    expect(await get(path)).toEqual({ bars: [{ t: "2024-01-02", c: 187.5 }] });
  },
);

test("we ask for what we can decode within the cap", async () => {
  await get("/gzip");
  expect(seenAcceptEncoding.at(-1)).toBe("gzip, br");
});

test.each(["/gzip-bomb", "/zstd-bomb"])(
  "%s expanding past the cap is a bad_response, like any body over it",
  async (path) => {
    const err = await get(path).catch((e: unknown) => e);
    expect(isProviderError(err) && err.kind).toBe("bad_response");
    expect(String((err as Error).message)).toContain(`over ${CAP} bytes`);
  },
);

test.each([
  ["/truncated", "corrupt gzip body"],
  ["/lies", "corrupt gzip body"],
  ["/compress", 'unsupported content-encoding "compress"'],
  ["/chained", 'unsupported content-encoding "gzip, br"'],
])("%s is a bad_response (%s)", async (path, message) => {
  const err = await get(path).catch((e: unknown) => e);
  expect(isProviderError(err) && err.kind).toBe("bad_response");
  expect(String((err as Error).message)).toContain(message);
});

test("a 1 GiB brotli bomb is refused at the default 8 MiB cap without stalling other requests", async () => {
  const started = performance.now();
  const err = await get("/br-bomb", 8 * 1024 * 1024).catch((e: unknown) => e);
  const refusedAfter = performance.now() - started;
  expect(isProviderError(err) && err.kind).toBe("bad_response");
  const unrelated = performance.now();
  expect(await fetch(`http://127.0.0.1:${other.port}/`).then((r) => r.text())).toBe("ok");
  const unrelatedMs = performance.now() - unrelated;
  // Bounded decoding stops at 8 MiB in tens of ms; Bun's decoder took seconds here.
  expect(refusedAfter).toBeLessThan(1500);
  expect(unrelatedMs).toBeLessThan(1500);
});
