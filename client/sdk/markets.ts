// The market list the gateway publishes (GET /v1/markets), parsed strictly: the SDK checks
// prices and sizes against these specs before anything is sealed, and converts the enclave's
// integer atoms back to decimal strings with the assets' decimals.
import type { PublicMarketSpec } from '../../src/protocol/market-spec.js';
import { DarkpoolError } from './errors.js';

export type { MarketMode as MatchingMode } from '../../src/protocol/market-spec.js';

/** One market as GET /v1/markets lists it. */
export type Market = PublicMarketSpec;

export const MARKETS_LIMITS = {
  maxMarkets: 1024,
  maxSymbolChars: 64,
  maxAssetDecimals: 36,
  maxStepChars: 80,
  maxFeeBps: 10_000,
} as const;

const STEP = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** Parses the JSON body of GET /v1/markets; anything off-shape is CLIENT_HTTP_BAD_RESPONSE. */
export function parseMarkets(json: unknown): Market[] {
  if (!Array.isArray(json)) throw bad('the markets answer is not an array');
  if (json.length > MARKETS_LIMITS.maxMarkets) throw bad(`more than ${MARKETS_LIMITS.maxMarkets} markets`);
  const seen = new Set<string>();
  return json.map((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw bad(`market ${index} is not an object`);
    const value = entry as Record<string, unknown>;
    const market: Market = {
      id: text(value.id, `market ${index} id`),
      base: text(value.base, `market ${index} base`),
      quote: text(value.quote, `market ${index} quote`),
      baseDecimals: integer(value.baseDecimals, 0, MARKETS_LIMITS.maxAssetDecimals, `market ${index} baseDecimals`),
      quoteDecimals: integer(value.quoteDecimals, 0, MARKETS_LIMITS.maxAssetDecimals, `market ${index} quoteDecimals`),
      tickSize: step(value.tickSize, `market ${index} tickSize`),
      lotSize: step(value.lotSize, `market ${index} lotSize`),
      minSizeLots: integer(value.minSizeLots, 1, Number.MAX_SAFE_INTEGER, `market ${index} minSizeLots`),
      makerFeeBps: integer(value.makerFeeBps, 0, MARKETS_LIMITS.maxFeeBps, `market ${index} makerFeeBps`),
      takerFeeBps: integer(value.takerFeeBps, 0, MARKETS_LIMITS.maxFeeBps, `market ${index} takerFeeBps`),
      mode: value.mode === 'continuous' || value.mode === 'auction' ? value.mode : failMode(index),
    };
    if (seen.has(market.id)) throw bad(`market ${market.id} is listed twice`);
    seen.add(market.id);
    return market;
  });
}

/** Asset symbol → decimals, over every market; an asset listed with two precisions is refused. */
export function assetDecimals(markets: readonly Market[]): Map<string, number> {
  const assets = new Map<string, number>();
  const note = (asset: string, decimals: number): void => {
    const known = assets.get(asset);
    if (known !== undefined && known !== decimals) throw bad(`asset ${asset} is listed with ${known} and ${decimals} decimals`);
    assets.set(asset, decimals);
  };
  for (const market of markets) {
    note(market.base, market.baseDecimals);
    note(market.quote, market.quoteDecimals);
  }
  return assets;
}

function bad(detail: string): DarkpoolError {
  return new DarkpoolError('CLIENT_HTTP_BAD_RESPONSE', detail, { origin: 'gateway' });
}

function text(value: unknown, title: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MARKETS_LIMITS.maxSymbolChars) throw bad(`${title} is not a string of 1 to ${MARKETS_LIMITS.maxSymbolChars} characters`);
  return value;
}

function integer(value: unknown, min: number, max: number, title: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) throw bad(`${title} is not an integer in [${min}, ${max}]`);
  return value;
}

function step(value: unknown, title: string): string {
  if (typeof value !== 'string' || value.length > MARKETS_LIMITS.maxStepChars || !STEP.test(value) || /^0(\.0+)?$/.test(value)) throw bad(`${title} is not a positive decimal string`);
  return value;
}

function failMode(index: number): never {
  throw bad(`market ${index} mode is neither continuous nor auction`);
}
