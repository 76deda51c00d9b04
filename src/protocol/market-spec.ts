// The public shape of a market, shared by everyone outside the matcher: the operator's
// configuration handed to the enclave, what the gateway serves at GET /v1/markets and what
// the SDK parses. The matcher keeps its own input type (the core imports nothing); a test
// holds its defaults equal to MARKET_DEFAULTS below.

export type MarketMode = 'continuous' | 'auction';

/** One market as configured: omitted optional fields take MARKET_DEFAULTS. */
export interface MarketConfig {
  /** The symbol, e.g. "DOT/USDC". */
  readonly id: string;
  readonly base: string;
  readonly quote: string;
  readonly baseDecimals: number;
  readonly quoteDecimals: number;
  /** Price step, a decimal string. */
  readonly tickSize: string;
  /** Size step, a decimal string. */
  readonly lotSize: string;
  readonly minSizeLots?: number;
  readonly mode?: MarketMode;
  readonly makerFeeBps?: number;
  readonly takerFeeBps?: number;
  readonly referenceStalenessMs?: number;
}

/** What GET /v1/markets serves per market: every public field present. */
export interface PublicMarketSpec extends Required<Omit<MarketConfig, 'referenceStalenessMs'>> {}

/** The values the matcher gives omitted fields (src/matching/market-spec.ts buildMarketSpec). */
export const MARKET_DEFAULTS = { minSizeLots: 1, makerFeeBps: 0, takerFeeBps: 0, mode: 'continuous' } as const satisfies Partial<PublicMarketSpec>;

/** A configured market with the defaults filled in, restricted to its public fields. */
export function publicMarketSpec(market: MarketConfig): PublicMarketSpec {
  return {
    id: market.id, base: market.base, quote: market.quote,
    baseDecimals: market.baseDecimals, quoteDecimals: market.quoteDecimals,
    tickSize: market.tickSize, lotSize: market.lotSize,
    minSizeLots: market.minSizeLots ?? MARKET_DEFAULTS.minSizeLots,
    makerFeeBps: market.makerFeeBps ?? MARKET_DEFAULTS.makerFeeBps,
    takerFeeBps: market.takerFeeBps ?? MARKET_DEFAULTS.takerFeeBps,
    mode: market.mode ?? MARKET_DEFAULTS.mode,
  };
}
