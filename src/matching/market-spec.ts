// Builds validated market specs and limits from their edge form. Tick and lot sizes arrive as
// decimal strings; here, once, they become the integer atoms the matcher computes with, and a
// spec whose sizes are not whole atoms is refused rather than rounded.
import { Decimal } from 'decimal.js';
import { CodedError } from '../errors/index.js';
import type { MarketLimits, MarketSpec, MarketSpecInput, MatcherLimits, MatchingMode } from './types.js';

/** Large enough for exact products of 36-decimal assets; decimal.js never rounds below this. */
const ExactDecimal = Decimal.clone({ precision: 200, rounding: Decimal.ROUND_DOWN, toExpNeg: -400, toExpPos: 400 });

const MAX_INT32 = 2 ** 31 - 1;
const MAX_ASSET_DECIMALS = 36;
const MAX_SIZE_DECIMALS = 36;
const MAX_SIZE_DIGITS = 60;
const MAX_ID_LENGTH = 64;
const MAX_SYMBOL_LENGTH = 16;
const MAX_FEE_BPS = 1000;
const MAX_BAND_BPS = 10_000;
/** Hard ceilings on configurable limits; they keep every typed array index and sum exact. */
const HARD_MAX_ORDERS_PER_BOOK = 16_777_216;
const HARD_MAX_FILLS_PER_COMMAND = 1_000_000;

export const DEFAULT_MARKET_LIMITS: MarketLimits = {
  maxOrdersPerBook: 2_000_000,
  maxOrdersPerAccount: 10_000,
  maxLevelsPerSide: 100_000,
  maxPeggedOrders: 10_000,
  maxGttOrders: 1_000_000,
  maxFillsPerCommand: 10_000,
  maxMakersVisitedPerCommand: 100_000,
  maxPriceTicks: 1_000_000_000,
  maxSizeLots: 1_000_000_000,
};

export const DEFAULT_MATCHER_LIMITS: MatcherLimits = {
  maxAccounts: 1_000_000,
  maxAccountLength: 128,
  maxClientOrderIdLength: 64,
  recentClientOrderIdsPerAccount: 256,
};

const DECIMAL_PATTERN = new RegExp(`^(0|[1-9][0-9]{0,${MAX_SIZE_DIGITS}})(\\.[0-9]{1,${MAX_SIZE_DECIMALS}})?$`);

function specError(detail: string): CodedError {
  return new CodedError('MARKET_SPEC_INVALID', detail);
}

function integerIn(value: unknown, min: number, max: number, title: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw specError(`${title} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

function text(value: unknown, maxLength: number, title: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw specError(`${title} must be a non-empty string of at most ${maxLength} characters`);
  }
  return value;
}

function positiveDecimal(value: unknown, title: string): Decimal {
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value)) {
    throw new CodedError('MARKET_SPEC_DECIMAL_INVALID', `${title} must be a plain decimal string with at most ${MAX_SIZE_DECIMALS} decimals, got ${JSON.stringify(value)}`);
  }
  const decimal = new ExactDecimal(value);
  if (!decimal.isPositive() || decimal.isZero()) throw new CodedError('MARKET_SPEC_DECIMAL_INVALID', `${title} must be greater than zero`);
  return decimal;
}

function wholeAtoms(value: Decimal, title: string): bigint {
  if (!value.isInteger()) throw new CodedError('MARKET_SPEC_NOT_INTEGRAL', `${title} is ${value.toFixed()} atoms`);
  return BigInt(value.toFixed(0));
}

/** Fills every limit from defaults and checks each against its hard bound. */
export function buildMarketLimits(input: Partial<MarketLimits> | undefined): MarketLimits {
  const merged = { ...DEFAULT_MARKET_LIMITS, ...(input ?? {}) };
  const bound = (value: unknown, max: number, title: string): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
      throw new CodedError('MARKET_LIMIT_INVALID', `${title} must be an integer in [1, ${max}], got ${String(value)}`);
    }
    return value;
  };
  const limits: MarketLimits = {
    maxOrdersPerBook: bound(merged.maxOrdersPerBook, HARD_MAX_ORDERS_PER_BOOK, 'maxOrdersPerBook'),
    maxOrdersPerAccount: bound(merged.maxOrdersPerAccount, HARD_MAX_ORDERS_PER_BOOK, 'maxOrdersPerAccount'),
    maxLevelsPerSide: bound(merged.maxLevelsPerSide, HARD_MAX_ORDERS_PER_BOOK, 'maxLevelsPerSide'),
    maxPeggedOrders: bound(merged.maxPeggedOrders, HARD_MAX_ORDERS_PER_BOOK, 'maxPeggedOrders'),
    maxGttOrders: bound(merged.maxGttOrders, HARD_MAX_ORDERS_PER_BOOK, 'maxGttOrders'),
    maxFillsPerCommand: bound(merged.maxFillsPerCommand, HARD_MAX_FILLS_PER_COMMAND, 'maxFillsPerCommand'),
    maxMakersVisitedPerCommand: bound(merged.maxMakersVisitedPerCommand, HARD_MAX_ORDERS_PER_BOOK, 'maxMakersVisitedPerCommand'),
    maxPriceTicks: bound(merged.maxPriceTicks, MAX_INT32, 'maxPriceTicks'),
    maxSizeLots: bound(merged.maxSizeLots, MAX_INT32, 'maxSizeLots'),
  };
  if (limits.maxOrdersPerBook * limits.maxSizeLots > Number.MAX_SAFE_INTEGER) {
    throw new CodedError('MARKET_LIMIT_INVALID', 'maxOrdersPerBook × maxSizeLots must stay below 2^53 so that level totals are exact');
  }
  return limits;
}

/** Validates an edge spec and derives the integer atoms the matcher uses. Throws CodedError. */
export function buildMarketSpec(input: MarketSpecInput): MarketSpec {
  if (typeof input !== 'object' || input === null) throw specError('the spec must be an object');
  const id = text(input.id, MAX_ID_LENGTH, 'id');
  const base = text(input.base, MAX_SYMBOL_LENGTH, 'base');
  const quote = text(input.quote, MAX_SYMBOL_LENGTH, 'quote');
  const baseDecimals = integerIn(input.baseDecimals, 0, MAX_ASSET_DECIMALS, 'baseDecimals');
  const quoteDecimals = integerIn(input.quoteDecimals, 0, MAX_ASSET_DECIMALS, 'quoteDecimals');
  const tick = positiveDecimal(input.tickSize, 'tickSize');
  const lot = positiveDecimal(input.lotSize, 'lotSize');
  const baseAtomsPerLot = wholeAtoms(lot.times(new ExactDecimal(10).pow(baseDecimals)), 'lotSize × 10^baseDecimals');
  const quoteAtomsPerTickLot = wholeAtoms(tick.times(lot).times(new ExactDecimal(10).pow(quoteDecimals)), 'tickSize × lotSize × 10^quoteDecimals');
  if (quoteAtomsPerTickLot % 2n !== 0n) {
    throw new CodedError('MARKET_SPEC_HALF_TICK_INEXACT', `tickSize × lotSize is ${quoteAtomsPerTickLot} quote atoms`);
  }
  const limits = buildMarketLimits(input.limits);
  const mode: MatchingMode = input.mode ?? 'continuous';
  if (mode !== 'continuous' && mode !== 'auction') throw specError(`mode must be continuous or auction, got ${String(mode)}`);
  const minSizeLots = integerIn(input.minSizeLots ?? 1, 1, limits.maxSizeLots, 'minSizeLots');
  const priceBandBps = input.priceBandBps === undefined ? undefined : integerIn(input.priceBandBps, 1, MAX_BAND_BPS, 'priceBandBps');
  return {
    id,
    base,
    quote,
    baseDecimals,
    quoteDecimals,
    tickSize: tick.toFixed(),
    lotSize: lot.toFixed(),
    baseAtomsPerLot,
    quoteAtomsPerTickLot,
    minSizeLots,
    priceBandBps,
    mode,
    auctionIntervalMs: integerIn(input.auctionIntervalMs ?? 0, 0, Number.MAX_SAFE_INTEGER, 'auctionIntervalMs'),
    makerFeeBps: integerIn(input.makerFeeBps ?? 0, 0, MAX_FEE_BPS, 'makerFeeBps'),
    takerFeeBps: integerIn(input.takerFeeBps ?? 0, 0, MAX_FEE_BPS, 'takerFeeBps'),
    referenceStalenessMs: integerIn(input.referenceStalenessMs ?? 1000, 0, Number.MAX_SAFE_INTEGER, 'referenceStalenessMs'),
    limits,
  };
}

/** Fills matcher-wide limits from defaults and checks them. */
export function buildMatcherLimits(input: Partial<MatcherLimits> | undefined): MatcherLimits {
  const merged = { ...DEFAULT_MATCHER_LIMITS, ...(input ?? {}) };
  const bound = (value: unknown, max: number, title: string): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
      throw new CodedError('MARKET_LIMIT_INVALID', `${title} must be an integer in [1, ${max}], got ${String(value)}`);
    }
    return value;
  };
  return {
    maxAccounts: bound(merged.maxAccounts, HARD_MAX_ORDERS_PER_BOOK, 'maxAccounts'),
    maxAccountLength: bound(merged.maxAccountLength, 1024, 'maxAccountLength'),
    maxClientOrderIdLength: bound(merged.maxClientOrderIdLength, 1024, 'maxClientOrderIdLength'),
    recentClientOrderIdsPerAccount: bound(merged.recentClientOrderIdsPerAccount, 1_000_000, 'recentClientOrderIdsPerAccount'),
  };
}
