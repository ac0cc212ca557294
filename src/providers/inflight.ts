/**
 * One upstream call per identical request in flight. Without it, 40 clients
 * asking for one symbol while the provider was slow made 16 identical calls
 * (and spent 40 of Alpaca's 50-request burst on 100 such clients); the rest
 * timed out in the bulkhead queue as 503s.
 * @module
 */

interface SharedCall {
  promise: Promise<unknown>;
  controller: AbortController;
  waiters: number;
}

/** Concurrent calls with the same key share one run of their work. */
export class InFlight {
  readonly #calls = new Map<string, SharedCall>();

  /**
   * Joins the call running for `key`, or starts `work` for it. Each caller
   * waits under its own `signal`: one that gives up stops waiting at once;
   * the shared work is aborted only when every caller has left, and a caller
   * arriving after that starts afresh.
   */
  run<T>(key: string, work: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    let shared = this.#calls.get(key);
    if (!shared) {
      const controller = new AbortController();
      const call: SharedCall = { promise: work(controller.signal), controller, waiters: 0 };
      const forget = () => {
        if (this.#calls.get(key) === call) this.#calls.delete(key);
      };
      call.promise.then(forget, forget);
      this.#calls.set(key, call);
      shared = call;
    }
    const call = shared;
    call.waiters++;
    return new Promise<T>((resolve, reject) => {
      let left = false;
      const leave = () => {
        if (left) return false;
        left = true;
        signal.removeEventListener("abort", onAbort);
        call.waiters--;
        return true;
      };
      const onAbort = () => {
        if (!leave()) return;
        if (call.waiters === 0) {
          if (this.#calls.get(key) === call) this.#calls.delete(key);
          call.controller.abort(signal.reason);
        }
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      call.promise.then(
        (value) => {
          // One key runs one kind of work, so the shared value is this caller's T.
          if (leave()) resolve(value as T);
        },
        (error: unknown) => {
          if (leave()) reject(error);
        },
      );
    });
  }

  /** Keys with a call in flight. */
  get size(): number {
    return this.#calls.size;
  }
}
