// Stateless checks of commands against the market spec and matcher limits, in the documented
// order (first failure wins). Commands come from a parser on the trusted side but their content
// is the trader's, so every field is checked for type and range before the book sees it.
import type { MatchingErrorName } from '../errors/matching.js';
import type { MarketSpec, MatcherLimits, OrderRef, PlaceCommand } from './types.js';

export interface Rejection {
  readonly name: MatchingErrorName;
  readonly detail: string | undefined;
}

function reject(name: MatchingErrorName, detail?: string): Rejection {
  return { name, detail };
}


// Plain comparisons rather than Set lookups: literals are interned, so these are pointer compares.
function isCommandType(value: unknown): boolean {
  return value === 'place' || value === 'cancel' || value === 'amend' || value === 'cancelAll'
    || value === 'setReference' || value === 'auction' || value === 'advanceTime';
}

function isSide(value: unknown): boolean {
  return value === 'buy' || value === 'sell';
}

function isOrderType(value: unknown): boolean {
  return value === 'limit' || value === 'market' || value === 'midpoint' || value === 'primaryPeg';
}

function isTimeInForce(value: unknown): boolean {
  return value === 'GTC' || value === 'IOC' || value === 'FOK' || value === 'GTT';
}

function isSelfTradePrevention(value: unknown): boolean {
  return value === 'cancelNewest' || value === 'cancelOldest' || value === 'cancelBoth' || value === 'decrement';
}

function isCount(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

/** A command is well-stamped when its type is known, seq ≥ 1 and timeMs ≥ 0 are safe integers. */
export function stampRejection(command: unknown): Rejection | undefined {
  if (typeof command !== 'object' || command === null) return reject('COMMAND_MALFORMED', 'the command must be an object');
  const { type, seq, timeMs } = command as { type?: unknown; seq?: unknown; timeMs?: unknown };
  if (!isCommandType(type)) return reject('COMMAND_MALFORMED', 'unknown command type');
  if (!isCount(seq, 1)) return reject('COMMAND_MALFORMED', 'seq must be a safe integer ≥ 1');
  if (!isCount(timeMs, 0)) return reject('COMMAND_MALFORMED', 'timeMs must be a safe integer ≥ 0');
  return undefined;
}

export function accountRejection(account: unknown, limits: MatcherLimits): Rejection | undefined {
  if (typeof account !== 'string' || account.length === 0 || account.length > limits.maxAccountLength) {
    return reject('ACCOUNT_INVALID', `at most ${limits.maxAccountLength} characters`);
  }
  return undefined;
}

function clientOrderIdRejection(clientOrderId: unknown, limits: MatcherLimits): Rejection | undefined {
  if (typeof clientOrderId !== 'string' || clientOrderId.length === 0 || clientOrderId.length > limits.maxClientOrderIdLength) {
    return reject('CLIENT_ORDER_ID_INVALID', `at most ${limits.maxClientOrderIdLength} characters`);
  }
  return undefined;
}

/** PRICE_INVALID / PRICE_TOO_LARGE for a field that must be a price in ticks. */
export function priceRejection(value: unknown, spec: MarketSpec, title: string): Rejection | undefined {
  if (!isCount(value, 1)) return reject('PRICE_INVALID', `${title} must be a whole number of ticks ≥ 1`);
  if (value > spec.limits.maxPriceTicks) return reject('PRICE_TOO_LARGE', `${title} exceeds ${spec.limits.maxPriceTicks}`);
  return undefined;
}

export function sizeRejection(value: unknown, spec: MarketSpec, title: string): Rejection | undefined {
  if (!isCount(value, 1)) return reject('SIZE_INVALID', `${title} must be a whole number of lots ≥ 1`);
  if (value > spec.limits.maxSizeLots) return reject('SIZE_TOO_LARGE', `${title} exceeds ${spec.limits.maxSizeLots}`);
  return undefined;
}

function optionalCapRejection(value: unknown, spec: MarketSpec): Rejection | undefined {
  return value === undefined ? undefined : priceRejection(value, spec, 'capTicks');
}

/** Every check of a place command that needs no book state, in the documented order. */
export function placeShapeRejection(command: PlaceCommand, spec: MarketSpec, limits: MatcherLimits): Rejection | undefined {
  const badAccount = accountRejection(command.account, limits);
  if (badAccount !== undefined) return badAccount;
  const badClientId = clientOrderIdRejection(command.clientOrderId, limits);
  if (badClientId !== undefined) return badClientId;
  if (!isSide(command.side)) return reject('SIDE_INVALID');
  if (!isOrderType(command.orderType)) return reject('ORDER_TYPE_INVALID');
  const size = sizeRejection(command.sizeLots, spec, 'sizeLots');
  if (size !== undefined) return size;
  if (command.sizeLots < spec.minSizeLots) return reject('SIZE_BELOW_MINIMUM', `minimum ${spec.minSizeLots} lots`);
  let pricing: Rejection | undefined;
  switch (command.orderType) {
    case 'limit': pricing = priceRejection(command.priceTicks, spec, 'priceTicks'); break;
    case 'market': pricing = priceRejection(command.protectionPriceTicks, spec, 'protectionPriceTicks'); break;
    case 'midpoint': pricing = optionalCapRejection(command.capTicks, spec); break;
    case 'primaryPeg': {
      const offset: unknown = command.offsetTicks;
      if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || Math.abs(offset) > spec.limits.maxPriceTicks) {
        pricing = reject('PEG_OFFSET_INVALID');
      } else pricing = optionalCapRejection(command.capTicks, spec);
      break;
    }
  }
  if (pricing !== undefined) return pricing;
  const timeInForce = command.timeInForce as string;
  if (!isTimeInForce(timeInForce)) return reject('TIME_IN_FORCE_INVALID');
  if (command.orderType === 'market' && timeInForce !== 'IOC' && timeInForce !== 'FOK') {
    return reject('TIME_IN_FORCE_INVALID', 'market orders are IOC or FOK');
  }
  const expireAtMs: unknown = command.expireAtMs;
  if (timeInForce === 'GTT' ? !isCount(expireAtMs, command.timeMs + 1) : expireAtMs !== undefined) return reject('EXPIRY_INVALID');
  const postOnly: unknown = command.postOnly;
  if (typeof postOnly !== 'boolean') return reject('COMMAND_MALFORMED', 'postOnly must be a boolean');
  if (postOnly && (command.orderType !== 'limit' || (timeInForce !== 'GTC' && timeInForce !== 'GTT'))) return reject('POST_ONLY_NOT_ALLOWED');
  if (!isCount(command.minQtyLots, 0)) return reject('MIN_QTY_INVALID');
  if (command.minQtyLots > command.sizeLots) return reject('MIN_QTY_EXCEEDS_SIZE');
  if (!isSelfTradePrevention(command.selfTradePrevention)) return reject('SELF_TRADE_PREVENTION_INVALID');
  if (spec.mode === 'auction') {
    if (command.orderType !== 'limit' && command.orderType !== 'market') return reject('ORDER_TYPE_NOT_IN_AUCTION', command.orderType);
    if (command.minQtyLots > 0 || postOnly || timeInForce === 'FOK') return reject('ORDER_TYPE_NOT_IN_AUCTION');
  }
  return undefined;
}

/** A cancel/amend target: exactly one of a positive order id or a client order id string. */
export function orderRefRejection(order: unknown): Rejection | undefined {
  if (typeof order !== 'object' || order === null) return reject('COMMAND_MALFORMED', 'order must name orderId or clientOrderId');
  const ref = order as { orderId?: unknown; clientOrderId?: unknown };
  const byId = ref.orderId !== undefined;
  const byClient = ref.clientOrderId !== undefined;
  if (byId === byClient) return reject('COMMAND_MALFORMED', 'order must name exactly one of orderId and clientOrderId');
  if (byId && !isCount(ref.orderId, 1)) return reject('COMMAND_MALFORMED', 'orderId must be a safe integer ≥ 1');
  if (byClient && typeof ref.clientOrderId !== 'string') return reject('COMMAND_MALFORMED', 'clientOrderId must be a string');
  return undefined;
}

export function isOrderIdRef(order: OrderRef): order is { readonly orderId: number } {
  return (order as { orderId?: unknown }).orderId !== undefined;
}
