/**
 * A TCP proxy on 127.0.0.1 that delays every byte the upstream sends back by a
 * fixed time, order kept: a real server made "far away" (a cross-region or
 * managed Redis) without touching it. Requests go through at once.
 */
import type { Socket } from "bun";

/** A running proxy. */
export interface LatencyProxy {
  readonly port: number;
  /** The delay of replies from now on (ms). */
  delayMs: number;
  /** Stops listening and closes every connection. */
  stop(): void;
}

interface Pair {
  upstream?: Socket<Pair>;
  client?: Socket<Pair>;
  /** Client bytes that arrived before the upstream connection opened. */
  early: Uint8Array[];
}

/** Forwards 127.0.0.1:`port` (returned) to 127.0.0.1:`upstreamPort`, replies delayed `delayMs`. */
export function startLatencyProxy(upstreamPort: number, delayMs: number): LatencyProxy {
  const open = new Set<Socket<Pair>>();
  const state = { delayMs };
  const server = Bun.listen<Pair>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        open.add(client);
        client.data = { client, early: [] };
        const pair = client.data;
        Bun.connect<Pair>({
          hostname: "127.0.0.1",
          port: upstreamPort,
          data: pair,
          socket: {
            open(upstream) {
              open.add(upstream);
              pair.upstream = upstream;
              for (const chunk of pair.early) upstream.write(chunk);
              pair.early = [];
            },
            data(_upstream, chunk) {
              const copy = new Uint8Array(chunk);
              setTimeout(() => pair.client?.write(copy), state.delayMs);
            },
            close() {
              setTimeout(() => pair.client?.end(), state.delayMs);
            },
            error() {},
          },
        }).catch(() => client.end());
      },
      data(client, chunk) {
        const pair = client.data;
        if (pair.upstream) pair.upstream.write(chunk);
        else pair.early.push(new Uint8Array(chunk));
      },
      close(client) {
        open.delete(client);
        client.data.upstream?.end();
      },
      error() {},
    },
  });
  return {
    port: server.port,
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    stop() {
      server.stop(true);
      for (const socket of open) socket.end();
    },
  };
}
