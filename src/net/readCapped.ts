/**
 * Reading a response body with a bound: an upstream (a provider, a trace
 * collector) decides how much it sends, and an endless or huge body must not
 * be held in memory or read for ever.
 * @module
 */

/** The body as sent (still encoded, never inflated), or undefined once it is over `maxBytes` (declared or counted). */
export async function readCapped(res: Response, maxBytes: number): Promise<Buffer | undefined> {
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes || !res.body) {
    await res.body?.cancel().catch(() => {});
    return declared > maxBytes ? undefined : Buffer.alloc(0);
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
