/** Raw HTTP over a socket, for requests `fetch` would normalise (a missing or malformed Host). */

/** Sends `request` as written to `baseUrl`'s host and port; resolves with everything answered until close. */
export function rawRequest(baseUrl: string, request: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise<string>((resolve, reject) => {
    let text = "";
    Bun.connect({
      hostname,
      port: Number(port),
      socket: {
        open: (s) => void s.write(request),
        data: (_s, chunk) => {
          text += chunk.toString();
        },
        close: () => resolve(text),
        error: (_s, err) => reject(err),
      },
    }).catch(reject);
  });
}
