/**
 * A promise's outcome, or a rejection once a time limit passes first.
 * @module
 */

/**
 * `work`'s outcome, or a rejection with `expired()` after `ms`: one timer of
 * its own, cleared when `work` settles. The work itself is left to finish; a
 * late outcome resolves a promise that has already rejected, so it is ignored.
 */
export function withinMs<T>(work: Promise<T>, ms: number, expired: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(expired()), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
