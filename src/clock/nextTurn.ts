/**
 * A macrotask boundary for long work done in slices (start-up module loading,
 * long simulated bar ranges): pending I/O, such as an incoming health check,
 * runs before the next slice.
 * @module
 */

/** Resolves on the next turn of the event loop (`setImmediate`), after pending I/O. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
