/**
 * PostgreSQL through `Bun.SQL`: a lazy pool, BIGINT decoded as BigInt and
 * normalized to numbers, ambient transactions with savepoints (see
 * database.ts for the contract).
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
// A type import: a value import from "bun" is bound when the binary loads, and reading
// `SQL` loads Bun's whole SQL layer (PostgreSQL adapter included, ~10 ms) at every start.
import type { SQL } from "bun";
import { withinMs } from "../clock/index.ts";
import type { Database, Executor, OpenDatabaseOptions, PreparedRead } from "./database.ts";
import { StorageError } from "./errors.ts";
import { probeHealth } from "./health.ts";
import { normalizeRows } from "./rows.ts";
import { assertStorable } from "./storableText.ts";

// Bun's transaction and savepoint handles are SQL instances.
type Tag = SQL;

interface Scope {
  tag: Tag;
  done: boolean;
}

function scopedExecutor(tag: Tag, store: AsyncLocalStorage<Scope>): Executor {
  return {
    dialect: "postgres",
    sql: async <T>(strings: TemplateStringsArray, ...values: unknown[]) => {
      assertStorable(values);
      return normalizeRows<T>(await tag(strings, ...values));
    },
    unsafe: async <T>(text: string, params?: unknown[]) => {
      assertStorable(params ?? []);
      return normalizeRows<T>(await tag.unsafe(text, params));
    },
    transaction: <T>(fn: (tx: Executor) => Promise<T>) =>
      // `savepoint` exists on transaction handles only; `tag` always is one here.
      (tag as unknown as { savepoint: SQL["begin"] }).savepoint(async (sp: Tag) =>
        runInScope(sp, store, fn),
      ) as Promise<T>,
  };
}

async function runInScope<T>(
  tag: Tag,
  store: AsyncLocalStorage<Scope>,
  fn: (tx: Executor) => Promise<T>,
): Promise<T> {
  const scope: Scope = { tag, done: false };
  try {
    return await store.run(scope, () => fn(scopedExecutor(tag, store)));
  } finally {
    scope.done = true;
  }
}

/** Opens a lazy `Bun.SQL` pool on `url` (the first query connects). */
export function openPostgresDatabase(url: string, options: OpenDatabaseOptions): Database {
  const store = new AsyncLocalStorage<Scope>();
  // Read here, never at module load: see the type import above.
  const raw: SQL = new Bun.SQL(url, {
    bigint: true,
    max: options.maxConnections ?? 10,
    connectionTimeout: 5,
    idleTimeout: 60,
  });
  let closed = false;
  const deadlineMs = options.queryTimeoutMs;
  const timedOut = () =>
    new StorageError("timeout", `the database did not answer within ${deadlineMs} ms`);
  // A top-level query or a whole transaction; queries inside a transaction share its deadline.
  const guard = <T>(fn: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new StorageError("closed", "the database is closed"));
    return deadlineMs === undefined ? fn() : withinMs(fn(), deadlineMs, timedOut);
  };
  const active = () => {
    const scope = store.getStore();
    return scope && !scope.done ? scope : undefined;
  };

  const db: Database = {
    dialect: "postgres",
    sql: async <T>(strings: TemplateStringsArray, ...values: unknown[]) => {
      assertStorable(values);
      const scope = active();
      if (scope) return normalizeRows<T>(await scope.tag(strings, ...values));
      return guard(async () => normalizeRows<T>(await raw(strings, ...values)));
    },
    unsafe: async <T>(text: string, params?: unknown[]) => {
      assertStorable(params ?? []);
      const scope = active();
      if (scope) return normalizeRows<T>(await scope.tag.unsafe(text, params));
      return guard(async () => normalizeRows<T>(await raw.unsafe(text, params)));
    },
    transaction: <T>(fn: (tx: Executor) => Promise<T>) => {
      const scope = active();
      if (scope) return scopedExecutor(scope.tag, store).transaction(fn);
      if (deadlineMs === undefined) {
        return guard(() => raw.begin((tx: Tag) => runInScope(tx, store, fn)) as Promise<T>);
      }
      // The deadline must end the work, not only the wait for it: a transaction left to run
      // would commit a change (and its audit event) after the caller was told it failed.
      // Every statement, a lock wait included, is cancelled by the server past the deadline,
      // which rolls the whole transaction back.
      // Several waits each under it can add up past it, so the body's end is checked too:
      // a transaction that finishes late throws, and Bun rolls it back instead of committing.
      if (closed) return Promise.reject(new StorageError("closed", "the database is closed"));
      const started = performance.now();
      let committing = false;
      const work = raw.begin(async (tx: Tag) => {
        await tx.unsafe(`SET LOCAL statement_timeout = ${Math.ceil(deadlineMs)}`);
        const result = await runInScope(tx, store, fn);
        if (performance.now() - started >= deadlineMs) throw timedOut();
        committing = true;
        return result;
      }) as Promise<T>;
      return withCommitDeadline(work, deadlineMs, () => committing, timedOut);
    },
    prepareRead:
      <T>(text: string): PreparedRead<T> =>
      (...params) =>
        db.unsafe<T>(text, params),
    ping: (timeoutMs = 2000) => probeHealth(() => db.sql`SELECT 1 AS ok`, timeoutMs),
    close: async () => {
      if (closed) return;
      closed = true;
      await raw.close({ timeout: 5 });
    },
  };
  return db;
}

/**
 * A transaction within `ms`. Past it before COMMIT was sent: `expired()` (the
 * work rolls back, see above). Past it while COMMIT is pending, the answer is
 * the commit's own, given as long again; after that the outcome is unknown
 * (`commit_unknown`: the change may have committed, so the client must not be
 * invited to retry blindly).
 */
function withCommitDeadline<T>(
  work: Promise<T>,
  ms: number,
  committing: () => boolean,
  expired: () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const unknown = () =>
      reject(
        new StorageError(
          "commit_unknown",
          `the database did not confirm a commit within ${2 * ms} ms`,
        ),
      );
    let timer = setTimeout(() => {
      if (!committing()) return reject(expired());
      timer = setTimeout(unknown, ms);
    }, ms);
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
