/**
 * Running statements on a `bun:sqlite` connection: binding values the way
 * `Bun.SQL` did, and a statement cache for tagged templates.
 *
 * Templates are compiled once per call site and kept (the strings array of a
 * template literal is the same object on every call, so it is the cache key
 * with no string building); `Bun.SQL` prepared and finalized every query
 * (~30 µs). `db.query()`'s own cache is not used: it holds 20 texts and stops
 * caching beyond that (measured), and this server has more templates.
 * @module
 */
import type { Database as Connection, SQLQueryBindings, Statement } from "bun:sqlite";
import { isUnstorableText, unstorableText } from "./storableText.ts";

/** Distinct templates kept; only a caller building template arrays at run time could pass it. */
const MAX_CACHED_TEMPLATES = 1000;

/** Bun.SQL's and bun:sqlite's own message for an unbindable value. */
const BIND_ERROR = "Binding expected string, TypedArray, boolean, number, bigint or null";

/**
 * Checks and converts values for binding: `undefined` becomes NULL, booleans
 * 1/0 (the driver does it), typed arrays BLOBs. Objects, arrays and dates are
 * refused with a TypeError, as `Bun.SQL` did: bun:sqlite would read an object
 * as named parameters and bind NULL silently. Text with U+0000 is refused as on
 * PostgreSQL (storableText.ts).
 */
function bindValues(values: readonly unknown[]): SQLQueryBindings[] {
  const out: SQLQueryBindings[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    switch (typeof v) {
      case "string":
        if (isUnstorableText(v)) throw unstorableText();
        out[i] = v;
        break;
      case "number":
      case "bigint":
      case "boolean":
        out[i] = v;
        break;
      case "undefined":
        out[i] = null;
        break;
      default:
        if (v === null || ArrayBuffer.isView(v)) {
          out[i] = v as SQLQueryBindings;
          break;
        }
        throw new TypeError(BIND_ERROR);
    }
  }
  return out;
}

/** Runs `statement` with `values` and returns its rows (none for a statement without a result). */
function allRows<T>(statement: Statement, values: readonly unknown[]): T[] {
  return statement.all(...bindValues(values)) as T[];
}

/** Prepared statements of one connection, keyed by template. */
export class StatementCache {
  private readonly byTemplate = new Map<TemplateStringsArray, Statement>();

  constructor(private readonly conn: Connection) {}

  /** Runs a tagged template: the strings joined with `?` placeholders, `values` bound. */
  template<T>(strings: TemplateStringsArray, values: readonly unknown[]): T[] {
    const cached = this.byTemplate.get(strings);
    if (cached) return allRows<T>(cached, values);
    const statement = this.conn.prepare(strings.join("?"));
    if (this.byTemplate.size < MAX_CACHED_TEMPLATES) {
      this.byTemplate.set(strings, statement);
      return allRows<T>(statement, values);
    }
    try {
      return allRows<T>(statement, values);
    } finally {
      statement.finalize();
    }
  }

  /**
   * Runs raw text, prepared for this call only (texts may be dynamic). Without
   * parameters, a text that returns no rows runs in full, so a script of
   * several statements executes all of them, as with `Bun.SQL`.
   */
  unsafe<T>(text: string, params: readonly unknown[] = []): T[] {
    const statement = this.conn.prepare(text);
    try {
      if (params.length === 0 && statement.columnNames.length === 0) {
        this.conn.run(text);
        return [];
      }
      return allRows<T>(statement, params);
    } finally {
      statement.finalize();
    }
  }

  /** Finalizes every cached statement (before the connection closes). */
  clear(): void {
    for (const statement of this.byTemplate.values()) statement.finalize();
    this.byTemplate.clear();
  }
}
