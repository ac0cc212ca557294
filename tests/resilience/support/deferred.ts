/**
 * A promise settled from outside, to hold work in flight while a test moves
 * time or state around it.
 */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Work that fails with a fresh error. */
export const failing =
  (message = "boom") =>
  async (): Promise<never> => {
    throw new Error(message);
  };

/** Work that succeeds with `value`. */
export const succeeding =
  <T>(value: T) =>
  async (): Promise<T> =>
    value;

/** Captures the rejection of a promise (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/** An AbortController whose signal counts its live abort listeners. */
export function countingController(): { controller: AbortController; live: () => number } {
  const controller = new AbortController();
  const signal = controller.signal;
  const listeners = new Set<unknown>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((type: string, fn: EventListener, opts?: AddEventListenerOptions) => {
    if (type === "abort") listeners.add(fn);
    add(type, fn, opts);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((type: string, fn: EventListener, opts?: EventListenerOptions) => {
    if (type === "abort") listeners.delete(fn);
    remove(type, fn, opts);
  }) as typeof signal.removeEventListener;
  return { controller, live: () => listeners.size };
}
