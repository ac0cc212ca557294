/**
 * Per-symbol model parameters, derived from the seed and a hash of the
 * symbol, with a few well-known tickers pinned near real levels for demos.
 * @module
 */
import { hashKeys, hashString, uniform } from "./random.ts";

/** Parameters of one symbol's price and volume model. */
export interface SymbolParams {
  symbol: string;
  /** Hash of (seed, symbol): the root key of every random number of this symbol. */
  key: number;
  /** Price at the anchor date (2024-01-02 open). */
  startPrice: number;
  /** Annual drift μ. */
  drift: number;
  /** Annual volatility σ. */
  volatility: number;
  /** Typical daily volume in shares. */
  dailyVolume: number;
  /** Half-spread driver: spread = max(1 tick, bps × price). */
  spreadBps: number;
  /** Average shares per trade (for the trade count `n`). */
  tradeSize: number;
}

const PINNED: Record<string, Partial<SymbolParams>> = {
  AAPL: { startPrice: 185, volatility: 0.25, dailyVolume: 55e6, spreadBps: 1 },
  MSFT: { startPrice: 370, volatility: 0.24, dailyVolume: 22e6, spreadBps: 1 },
  SPY: { startPrice: 470, volatility: 0.15, dailyVolume: 75e6, spreadBps: 1 },
  IBM: { startPrice: 160, volatility: 0.2, dailyVolume: 4e6, spreadBps: 2 },
};

/** `lo·(hi/lo)^u`: a log-uniform draw. */
const logUniform = (u: number, lo: number, hi: number): number => lo * (hi / lo) ** u;

/** Parameters of `symbol` under `seed`. */
export function symbolParams(seed: number, symbol: string): SymbolParams {
  const key = hashKeys(seed, hashString(symbol));
  const u = (tag: number) => uniform(key, 0x70617261, tag);
  const derived: SymbolParams = {
    symbol,
    key,
    startPrice: logUniform(u(1), 20, 400),
    drift: -0.05 + 0.2 * u(2),
    volatility: 0.15 + 0.45 * u(3),
    dailyVolume: logUniform(u(4), 1e5, 5e7),
    spreadBps: 1 + 4 * u(5),
    tradeSize: 50 + 150 * u(6),
  };
  return { ...derived, ...PINNED[symbol] };
}
