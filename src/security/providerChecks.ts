/**
 * Market-data provider credential checks (apikey.*; reference §1c). Every key
 * that is set is checked, whether or not its provider is selected (pinned);
 * a selected provider without its key is an error. Offline only: nothing here
 * calls a provider, so every result is "unverified".
 * @module
 */
import { isTrustedHost } from "./trustedHosts.ts";
import type { CheckInput, FindingList } from "./types.ts";

const PAPER_HOST = "paper-api.alpaca.markets";
const LIVE_HOST = "api.alpaca.markets";

interface ProviderKey {
  variable: string;
  /** Expected shape; a mismatch usually means a truncated or mis-pasted value. */
  format: RegExp;
}

const KEYS: readonly ProviderKey[] = [
  { variable: "ALPACA_API_KEY_ID", format: /^[A-Z0-9]{16,40}$/ },
  { variable: "ALPACA_API_SECRET_KEY", format: /^[A-Za-z0-9/+=]{30,64}$/ },
  // gitleaks finnhub-access-token, plus the sandbox_ prefix public code uses.
  { variable: "FINNHUB_API_KEY", format: /^(sandbox_)?[a-z0-9]{20}$/ },
  { variable: "ALPHA_VANTAGE_API_KEY", format: /^[A-Za-z0-9]{8,32}$/ },
];

const URLS = ["ALPACA_API_URL", "ALPACA_DATA_URL", "FINNHUB_BASE_URL", "ALPHA_VANTAGE_BASE_URL"];

/** Which variables each selectable provider needs. */
const PROVIDER_KEYS: Record<string, readonly string[]> = {
  alpaca: ["ALPACA_API_KEY_ID", "ALPACA_API_SECRET_KEY"],
  finnhub: ["FINNHUB_API_KEY"],
  alphavantage: ["ALPHA_VANTAGE_API_KEY"],
};
const SELECTORS = ["MARKET_DATA_PROVIDER", "NEWS_PROVIDER", "ALTDATA_PROVIDER"];

/** Why a key is a test/demo/sandbox credential, or undefined. */
function testKeyReason(variable: string, value: string): string | undefined {
  if (variable === "ALPHA_VANTAGE_API_KEY" && value.trim().toLowerCase() === "demo") {
    return "is Alpha Vantage's public demo key";
  }
  if (value.startsWith("sandbox_")) return "is a sandbox key (sandbox_ prefix)";
  if (/^T(pk|sk)_/.test(value)) return "is an IEX Cloud sandbox token (Tpk_/Tsk_ prefix)";
  if (value.includes("_test_")) return "is a test-mode key (_test_)";
  return undefined;
}

function hasUserInfo(text: string): boolean {
  try {
    const url = new URL(text.trim());
    return url.username !== "" || url.password !== "";
  } catch {
    return false;
  }
}

function isPlainHttp(text: string): boolean {
  return URL.canParse(text.trim()) && new URL(text.trim()).protocol === "http:";
}

function hostOf(text: string): string | undefined {
  try {
    return new URL(text.trim()).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Runs apikey.001–007. */
export function checkProviders(input: CheckInput, out: FindingList): void {
  for (const key of KEYS) {
    const value = input.get(key.variable);
    if (value === undefined) continue;
    const reason = testKeyReason(key.variable, value);
    if (reason !== undefined) {
      out.add({
        id: "apikey.001",
        levels: "E/I/I",
        variable: key.variable,
        message: reason,
        hint: "Use a production key in production; keep test keys for development and staging.",
      });
    } else if (!key.format.test(value)) {
      out.add({
        id: "apikey.004",
        levels: "W/W/I",
        variable: key.variable,
        message: "does not look like a key of this provider (truncated, quoted or padded?)",
        hint: "Paste the key exactly as the provider shows it, without quotes or spaces.",
      });
    }
    if (/^[rs]k_live_/.test(value)) {
      out.add({
        id: "apikey.002",
        levels: "-/W/W",
        variable: key.variable,
        message: "is a live-mode key outside production",
        hint: "Use test keys outside production so mistakes cost no real money.",
      });
    }
  }
  for (const variable of URLS) {
    const url = input.get(variable);
    if (url !== undefined && hasUserInfo(url)) {
      out.add({
        id: "apikey.006",
        levels: "W/W/W",
        variable,
        message: "carries a user name or password in the URL",
        hint: "Put credentials in the provider's key variables; a URL is copied into proxies' logs.",
      });
    }
    const host = url === undefined ? undefined : hostOf(url);
    if (url !== undefined && host !== undefined && isPlainHttp(url) && !isTrustedHost(host)) {
      out.add({
        id: "apikey.007",
        levels: "E/W/-",
        variable,
        message: "uses plain-text http:// off a trusted network: the provider key travels readable",
        hint: "Use the provider's https:// URL; plain http is accepted only on loopback and Fly's private network.",
      });
    }
    if (host === PAPER_HOST || host?.includes("sandbox")) {
      out.add({
        id: "apikey.001",
        levels: "E/I/I",
        variable,
        message: "points at a paper-trading or sandbox host",
        hint: "Use the provider's live endpoint in production.",
      });
    }
  }
  checkAlpaca(input, out);
  checkSelected(input, out);
}

function checkAlpaca(input: CheckInput, out: FindingList): void {
  const keyId = input.get("ALPACA_API_KEY_ID")?.trim();
  const hosts = ["ALPACA_API_URL", "ALPACA_DATA_URL"].map((v) => {
    const url = input.get(v);
    return { variable: v, host: url === undefined ? undefined : hostOf(url) };
  });
  const paperKey = keyId?.startsWith("PK") === true;
  const liveKey = keyId?.startsWith("AK") === true;
  if (paperKey) {
    // Pinned: a warning, not an error — paper keys still serve market data,
    // and the PK prefix is a heuristic from third-party code.
    out.add({
      id: "apikey.001",
      levels: "W/I/I",
      variable: "ALPACA_API_KEY_ID",
      message: "looks like an Alpaca paper-trading key (PK prefix)",
      hint: "Fine for market data; use a live key (AK…) before trading real money.",
    });
  }
  if (liveKey) {
    out.add({
      id: "apikey.002",
      levels: "-/W/W",
      variable: "ALPACA_API_KEY_ID",
      message: "looks like an Alpaca live-trading key (AK prefix) outside production",
      hint: "Use a paper key (PK…) outside production: live keys trade real money.",
    });
  }
  for (const { variable, host } of hosts) {
    if (host === LIVE_HOST) {
      out.add({
        id: "apikey.002",
        levels: "-/W/W",
        variable,
        message: "points at Alpaca's live-trading host outside production",
        hint: `Use https://${PAPER_HOST} outside production.`,
      });
    }
    if ((paperKey && host === LIVE_HOST) || (liveKey && host === PAPER_HOST)) {
      out.add({
        id: "apikey.003",
        levels: "E/E/W",
        variable,
        message: `does not match ALPACA_API_KEY_ID (${paperKey ? "paper key, live host" : "live key, paper host"})`,
        hint: "Paper keys work only with the paper host and live keys only with the live host.",
      });
    }
  }
}

function checkSelected(input: CheckInput, out: FindingList): void {
  const selected = new Set(SELECTORS.map((s) => input.get(s)?.trim()));
  for (const [provider, variables] of Object.entries(PROVIDER_KEYS)) {
    const missing = variables.filter((v) => input.get(v) === undefined);
    if (missing.length === 0) continue;
    if (selected.has(provider)) {
      for (const variable of missing) {
        out.add({
          id: "apikey.005",
          levels: "E/E/E",
          variable,
          message: `is required because ${provider} is a selected data provider`,
          hint: "Set the key, or select the simulated provider.",
        });
      }
    } else if (missing.length < variables.length) {
      for (const variable of missing) {
        out.add({
          id: "apikey.005",
          levels: "W/W/I",
          variable,
          message: `is missing while the other ${provider} credential is set`,
          hint: "Set both halves of the key pair, or neither.",
        });
      }
    }
  }
}
