/**
 * Market data, news and alternative data: the domain model, the simulator,
 * the real adapters and `createProviders`, which wires them behind the
 * resilience pipeline and cache. Design and decisions: docs/providers.md.
 * @module
 */
export { AlpacaProvider } from "./alpaca/index.ts";
export { AlphaVantageProvider } from "./alphavantage/index.ts";
export {
  type AltDataService,
  type CreateProvidersOptions,
  createProviders,
  type MarketService,
  type NewsService,
  type ProviderHealth,
  type Providers,
} from "./create.ts";
export {
  isProviderError,
  ProviderError,
  type ProviderErrorKind,
} from "./errors.ts";
export { FinnhubProvider } from "./finnhub/index.ts";
export { DEFAULT_TUNING, type PolicyTuning, PROVIDER_RATE_LIMITS } from "./policy.ts";
export type { Served } from "./served.ts";
export { isoTime } from "./shape.ts";
export { SIMULATED_UNIVERSE, SimulatedProvider } from "./simulator/index.ts";
export * from "./types.ts";
