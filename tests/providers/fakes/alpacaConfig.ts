/** Provider settings for tests: Alpaca market data against a fake on 127.0.0.1, the rest simulated. */
import type { createProviders } from "../../../src/providers/index.ts";

type ProviderConfig = Parameters<typeof createProviders>[0];

/** Alpaca (or the simulator) for market data at `dataUrl`; news and alt data simulated. */
export function alpacaConfig(dataUrl: string, over: Partial<ProviderConfig> = {}): ProviderConfig {
  return {
    MARKET_DATA_PROVIDER: "alpaca",
    NEWS_PROVIDER: "simulated",
    ALTDATA_PROVIDER: "simulated",
    SIM_SEED: 42,
    ALPACA_API_KEY_ID: "AKID",
    ALPACA_API_SECRET_KEY: "secret",
    ALPACA_DATA_URL: dataUrl,
    FINNHUB_API_KEY: undefined,
    FINNHUB_BASE_URL: undefined,
    ALPHA_VANTAGE_API_KEY: undefined,
    ALPHA_VANTAGE_BASE_URL: undefined,
    PROVIDER_ATTEMPT_TIMEOUT: 60,
    PROVIDER_TOTAL_TIMEOUT: 150,
    PROVIDER_CACHE_TTL: 60_000,
    ...over,
  };
}
