// Turns CCXT-style calls into the enclave's request bodies (src/protocol/trading-messages.ts),
// checking everything the client can know before sealing: the market exists, prices sit on
// the tick grid and sizes in whole lots, the options fit the order type. The enclave checks
// again (it trusts nothing); checking here gives the trader a precise error without a round
// trip, and sends decimals in the canonical form the enclave insists on.
import { randomBytes } from '@noble/hashes/utils';
import type { AmendOrderBody, OrderRefBody, PlaceOrderBody, QuoteLevel } from '../../src/protocol/trading-messages.js';
import { checkPrice, checkSize, parsePositiveDecimal } from './decimals.js';
import { DarkpoolError } from './errors.js';
import type { Market } from './markets.js';
import type { Placement } from './store.js';
import type { CreateOrderParams, EditOrderChanges, OrderSide, OrderType, QuoteInput, SelfTradePrevention, TimeInForce } from './types.js';

/** The enclave's own bounds (src/enclave/requests.ts), mirrored so the client fails first. */
export const ORDER_LIMITS = {
  maxQuotesPerMassQuote: 64,
  minDeadManMs: 100,
  maxDeadManMs: 3_600_000,
  maxOffsetTicks: 1_000_000,
} as const;

const ORDER_TYPES: readonly OrderType[] = ['limit', 'market', 'midpoint', 'peg'];
const SIDES: readonly OrderSide[] = ['buy', 'sell'];
const TIMES_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK', 'GTT'];
const SELF_TRADE_PREVENTION: readonly SelfTradePrevention[] = ['cancelNewest', 'cancelOldest', 'cancelBoth', 'decrement'];
const PARAM_KEYS: readonly string[] = ['timeInForce', 'postOnly', 'minQty', 'clientOrderId', 'selfTradePrevention', 'expireAtMs', 'protectionPrice', 'cap', 'offsetTicks'];
const CLIENT_ORDER_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const ORDER_ID = /^[1-9][0-9]{0,15}$/;

function invalid(detail: string): DarkpoolError {
  return new DarkpoolError('CLIENT_ORDER_INVALID', detail);
}

/** A fresh client order id: 16 random hex digits behind a "c" (unique per account in practice). */
export function newClientOrderId(): string {
  return `c${Array.from(randomBytes(8), (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

export function checkClientOrderId(value: unknown): string {
  if (typeof value !== 'string' || !CLIENT_ORDER_ID.test(value)) throw new DarkpoolError('CLIENT_ORDER_ID_INVALID', `client order id ${JSON.stringify(String(value).slice(0, 70))}`);
  return value;
}

/** An order id as the SDK shows it (a decimal string) back to the enclave's integer. */
export function checkOrderId(value: unknown): number {
  if (typeof value !== 'string' || !ORDER_ID.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new DarkpoolError('CLIENT_ORDER_ID_INVALID', `order id ${JSON.stringify(String(value).slice(0, 70))}`);
  }
  return Number(value);
}

/** An order reference: the id, or params.clientOrderId when the id is empty. */
export function orderRef(market: Market, id: string, clientOrderId: string | undefined): OrderRefBody {
  if (clientOrderId !== undefined) {
    if (id !== '') throw new DarkpoolError('CLIENT_ORDER_ID_INVALID', 'name the order by id or by clientOrderId, not both');
    return { market: market.id, clientOrderId: checkClientOrderId(clientOrderId) };
  }
  return { market: market.id, orderId: checkOrderId(id) };
}

function oneOf<T extends string>(value: unknown, options: readonly T[], title: string): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) throw invalid(`${title} must be one of ${options.join(', ')}`);
  return value as T;
}

export interface PlaceRequest {
  readonly body: PlaceOrderBody;
  readonly placement: Placement;
}

/** Checks a createOrder call and builds its order.place body. */
export function buildPlaceRequest(
  market: Market, type: unknown, side: unknown, amount: unknown, price: unknown, params: CreateOrderParams,
): PlaceRequest {
  if (typeof params !== 'object' || params === null) throw invalid('params must be an object');
  for (const key of Object.keys(params)) if (!PARAM_KEYS.includes(key)) throw invalid(`unknown param "${key}"`);
  const orderType = oneOf(type, ORDER_TYPES, 'type');
  const orderSide = oneOf(side, SIDES, 'side');
  const size = checkSize(market, amount);
  if (orderType !== 'limit' && price !== undefined) throw invalid(`${orderType} orders take no price argument (market: params.protectionPrice; midpoint and peg: params.cap)`);
  if (orderType === 'limit' && price === undefined) throw invalid('a limit order needs a price');
  if (orderType !== 'market' && params.protectionPrice !== undefined) throw invalid('protectionPrice goes with market orders only');
  if (orderType === 'market' && params.protectionPrice === undefined) throw invalid('a market order needs params.protectionPrice, the worst price it accepts');
  if ((orderType === 'limit' || orderType === 'market') && params.cap !== undefined) throw invalid('cap goes with midpoint and peg orders only');
  if (orderType !== 'peg' && params.offsetTicks !== undefined) throw invalid('offsetTicks goes with peg orders only');
  if (params.offsetTicks !== undefined && (!Number.isSafeInteger(params.offsetTicks) || Math.abs(params.offsetTicks) > ORDER_LIMITS.maxOffsetTicks)) {
    throw invalid(`offsetTicks must be an integer within ±${ORDER_LIMITS.maxOffsetTicks}`);
  }
  if (params.expireAtMs !== undefined && (!Number.isSafeInteger(params.expireAtMs) || params.expireAtMs < 1)) throw invalid('expireAtMs must be a positive whole number of milliseconds');
  const timeInForce = params.timeInForce === undefined
    ? (params.expireAtMs !== undefined ? 'GTT' : orderType === 'market' ? 'IOC' : 'GTC')
    : oneOf(params.timeInForce, TIMES_IN_FORCE, 'timeInForce');
  if ((timeInForce === 'GTT') !== (params.expireAtMs !== undefined)) throw invalid('expireAtMs goes with timeInForce GTT, and only with it');
  if (orderType === 'market' && timeInForce !== 'IOC' && timeInForce !== 'FOK') throw invalid('market orders are IOC or FOK');
  if (params.postOnly !== undefined && typeof params.postOnly !== 'boolean') throw invalid('postOnly must be true or false');
  if (params.postOnly === true && (orderType !== 'limit' || (timeInForce !== 'GTC' && timeInForce !== 'GTT'))) throw invalid('postOnly goes with GTC or GTT limit orders only');
  let minQty: string | undefined;
  if (params.minQty !== undefined) {
    minQty = checkSize(market, params.minQty, 'minQty');
    if (parsePositiveDecimal(minQty, 'minQty').greaterThan(size)) throw invalid(`minQty ${minQty} exceeds the amount ${size}`);
  }
  const selfTradePrevention = params.selfTradePrevention === undefined ? undefined : oneOf(params.selfTradePrevention, SELF_TRADE_PREVENTION, 'selfTradePrevention');
  const clientOrderId = params.clientOrderId === undefined ? newClientOrderId() : checkClientOrderId(params.clientOrderId);
  const limitPrice = orderType === 'limit' ? checkPrice(market, price) : undefined;
  const body: PlaceOrderBody = {
    market: market.id,
    clientOrderId,
    side: orderSide,
    type: orderType,
    size,
    price: limitPrice,
    protectionPrice: params.protectionPrice === undefined ? undefined : checkPrice(market, params.protectionPrice, 'protectionPrice'),
    cap: params.cap === undefined ? undefined : checkPrice(market, params.cap, 'cap'),
    offsetTicks: params.offsetTicks,
    timeInForce,
    expireAtMs: params.expireAtMs,
    postOnly: params.postOnly,
    minQty,
    selfTradePrevention,
  };
  return { body, placement: { symbol: market.id, type: orderType, side: orderSide, price: limitPrice, amount: size, timeInForce } };
}

/** Checks an editOrder call and builds its order.amend body. */
export function buildAmendBody(market: Market, id: string, changes: EditOrderChanges, clientOrderId?: string): AmendOrderBody {
  if (typeof changes !== 'object' || changes === null) throw invalid('changes must be an object');
  for (const key of Object.keys(changes)) if (key !== 'amount' && key !== 'price') throw invalid(`unknown change "${key}"`);
  if (changes.amount === undefined && changes.price === undefined) throw invalid('editOrder needs a new amount or price');
  return {
    ...orderRef(market, id, clientOrderId),
    size: changes.amount === undefined ? undefined : checkSize(market, changes.amount),
    price: changes.price === undefined ? undefined : checkPrice(market, changes.price),
  };
}

export interface QuoteRequest {
  readonly levels: readonly QuoteLevel[];
  readonly placements: readonly Placement[];
}

/** Checks a mass-quote ladder: 1–64 levels, each on the grid, with distinct client order ids. */
export function buildQuoteLevels(market: Market, quotes: readonly QuoteInput[]): QuoteRequest {
  if (!Array.isArray(quotes) || quotes.length === 0 || quotes.length > ORDER_LIMITS.maxQuotesPerMassQuote) {
    throw new DarkpoolError('CLIENT_MASS_QUOTE_INVALID', `${Array.isArray(quotes) ? quotes.length : 'no'} levels`);
  }
  const levels = quotes.map((quote, index): QuoteLevel => {
    if (typeof quote !== 'object' || quote === null) throw new DarkpoolError('CLIENT_MASS_QUOTE_INVALID', `level ${index} is not an object`);
    return {
      side: oneOf(quote.side, SIDES, `level ${index} side`),
      price: checkPrice(market, quote.price, `level ${index} price`),
      size: checkSize(market, quote.amount, `level ${index} amount`),
      clientOrderId: quote.clientOrderId === undefined ? newClientOrderId() : checkClientOrderId(quote.clientOrderId),
    };
  });
  if (new Set(levels.map((level) => level.clientOrderId)).size !== levels.length) throw new DarkpoolError('CLIENT_MASS_QUOTE_INVALID', 'client order ids repeat');
  const placements = levels.map((level): Placement => ({ symbol: market.id, type: 'limit', side: level.side, price: level.price, amount: level.size, timeInForce: 'GTC' }));
  return { levels, placements };
}

/** The dead-man interval: 0 disarms, otherwise 100 ms to one hour. */
export function checkDeadManMs(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || (value !== 0 && (value < ORDER_LIMITS.minDeadManMs || value > ORDER_LIMITS.maxDeadManMs))) {
    throw new DarkpoolError('CLIENT_DEAD_MAN_INVALID', `got ${String(value)}`);
  }
  return value;
}
