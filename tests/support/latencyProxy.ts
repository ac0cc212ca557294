/**
 * A TCP proxy on 127.0.0.1 that delays every byte the upstream sends back by a
 * fixed time, order kept: a real server made "far away" (a cross-region or
 * managed Redis) without touching it. Requests go through at once.
 */
import type { Socket } from "bun";

/** A running proxy. */
export interface LatencyProxy {
  readonly port: number;
  /** The delay of replies from now on (ms); a shorter one never overtakes earlier bytes. */
  delayMs: number;
  /** Stops listening and closes every connection. */
  stop(): void;
}

/** Bytes waiting for a socket that took only part of a write (Bun does not buffer the rest). */
class Outbox {
  #pending: Uint8Array[] = [];
  #ending = false;
  constructor(private socket: Socket<unknown> | undefined) {}

  attach(socket: Socket<unknown>): void {
    this.socket = socket;
    this.drain();
  }

  write(bytes: Uint8Array): void {
    this.#pending.push(bytes);
    this.drain();
  }

  end(): void {
    this.#ending = true;
    this.drain();
  }

  /** Writes what the socket takes; the rest waits for its `drain` event. */
  drain(): void {
    const socket = this.socket;
    if (!socket) return;
    while (this.#pending.length > 0) {
      const next = this.#pending[0] as Uint8Array;
      const written = socket.write(next);
      if (written < next.length) {
        this.#pending[0] = next.subarray(Math.max(0, written));
        return;
      }
      this.#pending.shift();
    }
    if (this.#ending) socket.end();
  }
}

interface Pair {
  toUpstream: Outbox;
  toClient: Outbox;
  upstream?: Socket<Pair>;
  /** When the last reply chunk is due (ms, performance.now()): later chunks never overtake it. */
  lastDue: number;
}

/** Forwards 127.0.0.1:`port` (returned) to 127.0.0.1:`upstreamPort`, replies delayed `delayMs`. */
export function startLatencyProxy(upstreamPort: number, delayMs: number): LatencyProxy {
  const open = new Set<Socket<Pair>>();
  const state = { delayMs };
  /** Runs `fn` after the delay, never before what was scheduled earlier on this pair. */
  const later = (pair: Pair, fn: () => void) => {
    const due = Math.max(performance.now() + state.delayMs, pair.lastDue);
    pair.lastDue = due;
    setTimeout(fn, due - performance.now());
  };
  const server = Bun.listen<Pair>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        open.add(client);
        const pair: Pair = {
          toUpstream: new Outbox(undefined),
          toClient: new Outbox(client as Socket<unknown>),
          lastDue: 0,
        };
        client.data = pair;
        Bun.connect<Pair>({
          hostname: "127.0.0.1",
          port: upstreamPort,
          data: pair,
          socket: {
            open(upstream) {
              open.add(upstream);
              pair.upstream = upstream;
              pair.toUpstream.attach(upstream as Socket<unknown>);
            },
            data(_upstream, chunk) {
              const copy = new Uint8Array(chunk);
              later(pair, () => pair.toClient.write(copy));
            },
            drain() {
              pair.toUpstream.drain();
            },
            close(upstream) {
              open.delete(upstream);
              later(pair, () => pair.toClient.end());
            },
            error() {},
          },
        }).catch(() => client.end());
      },
      data(client, chunk) {
        client.data.toUpstream.write(new Uint8Array(chunk));
      },
      drain(client) {
        client.data.toClient.drain();
      },
      close(client) {
        open.delete(client);
        client.data.toUpstream.end();
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
