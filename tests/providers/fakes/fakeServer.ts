/**
 * A real HTTP server on 127.0.0.1:0 that replays documented provider payloads
 * and injects faults on demand: status codes with headers, hangs, slow and
 * truncated bodies, wrong shapes. Tests set `fault` and read `requests`.
 */

/** A fault to inject into the next responses (until cleared). */
export type Fault =
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: string }
  | { kind: "hang" }
  | { kind: "slowBody"; delayMs: number }
  | { kind: "truncated" }
  | { kind: "body"; body: unknown };

/** Answers a request with a JSON-able payload, or undefined for 404. */
export type Handler = (url: URL, headers: Headers) => unknown;

/** A running fake provider. */
export interface FakeProvider {
  url: string;
  fault: Fault | undefined;
  requests: { url: URL; headers: Headers }[];
  stop(): Promise<void>;
}

/** Starts a fake serving `routes` (path → handler). */
export function startFake(routes: Record<string, Handler>): FakeProvider {
  const fake: FakeProvider = {
    url: "",
    fault: undefined,
    requests: [],
    stop: async () => {
      await server.stop(true);
    },
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    fetch: async (req) => {
      const url = new URL(req.url);
      fake.requests.push({ url, headers: req.headers });
      const fault = fake.fault;
      if (fault?.kind === "hang") {
        await new Promise<void>((resolve) => req.signal.addEventListener("abort", () => resolve()));
        return new Response(null, { status: 499 });
      }
      if (fault?.kind === "status") {
        return new Response(fault.body ?? "{}", { status: fault.status, headers: fault.headers });
      }
      const handler = routes[url.pathname];
      if (!handler) return Response.json({ message: "not found" }, { status: 404 });
      const payload = fault?.kind === "body" ? fault.body : handler(url, req.headers);
      const text = JSON.stringify(payload);
      if (fault?.kind === "truncated") {
        return new Response(text.slice(0, Math.floor(text.length / 2)), {
          headers: { "content-type": "application/json" },
        });
      }
      if (fault?.kind === "slowBody") {
        const { delayMs } = fault;
        const stream = new ReadableStream({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode(text.slice(0, 5)));
            await Bun.sleep(delayMs);
            controller.enqueue(new TextEncoder().encode(text.slice(5)));
            controller.close();
          },
        });
        return new Response(stream, { headers: { "content-type": "application/json" } });
      }
      return Response.json(payload);
    },
  });
  fake.url = server.url.toString().replace(/\/$/, "");
  return fake;
}
