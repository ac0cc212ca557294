/**
 * The simulated quote is a function of the clock's whole second (quote.ts), so
 * it is computed once per symbol per second instead of once per request: the
 * minute path, calendar and ISO formatting were ~4 µs of every quote request.
 * @module
 */
import type { Quote } from "../types.ts";
import { simulatedQuote } from "./quote.ts";
import type { SymbolParams } from "./symbolParams.ts";

interface Entry {
  second: number;
  quote: Quote | undefined;
}

/** Last second's quote per symbol, for at most `maxSymbols` symbols. */
export class QuoteMemo {
  private readonly bySymbol = new Map<string, Entry>();

  /** @param maxSymbols Past this many symbols the memo starts over: any valid symbol can be asked for. */
  constructor(private readonly maxSymbols = 1024) {}

  /** The quote of `symbol` at `now`; `params` is built only when the memo misses. */
  quote(symbol: string, now: number, params: () => SymbolParams): Quote | undefined {
    const second = Math.floor(now / 1000);
    const hit = this.bySymbol.get(symbol);
    if (hit?.second === second) return hit.quote;
    const computed = simulatedQuote(params(), now);
    // Shared by every request in this second: nobody may change it.
    const quote = computed && Object.freeze(computed);
    if (hit) {
      hit.second = second;
      hit.quote = quote;
    } else {
      if (this.bySymbol.size >= this.maxSymbols) this.bySymbol.clear();
      this.bySymbol.set(symbol, { second, quote });
    }
    return quote;
  }

  /** Symbols remembered now (for tests). */
  get size(): number {
    return this.bySymbol.size;
  }
}
