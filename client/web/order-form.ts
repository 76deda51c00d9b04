// The page's order ticket: limit or midpoint, buy or sell, GTC / IOC / FOK, an optional
// minimum fill quantity, post-only for resting limits and a cap for midpoint orders, turned
// into one createOrder call. Only the shape is checked here; prices, sizes and the market's
// grid are the SDK's checks (client/sdk/order-requests.ts), which give the precise error.
import { DarkpoolError } from '../sdk/errors.js';
import type { CreateOrderParams, OrderSide, TimeInForce } from '../sdk/types.js';

export type TicketType = 'limit' | 'midpoint';

export interface OrderInputs {
  readonly symbol: string;
  readonly side: string;
  readonly type: string;
  readonly amount: string;
  /** Limit price; ignored for midpoint orders. */
  readonly price: string;
  /** Midpoint cap (the worst price accepted); ignored for limit orders. */
  readonly cap: string;
  readonly timeInForce: string;
  readonly minQty: string;
  readonly postOnly: boolean;
}

export interface OrderTicket {
  readonly symbol: string;
  readonly type: TicketType;
  readonly side: OrderSide;
  readonly amount: string;
  readonly price: string | undefined;
  readonly params: CreateOrderParams;
}

const SIDES: readonly OrderSide[] = ['buy', 'sell'];
const TYPES: readonly TicketType[] = ['limit', 'midpoint'];
const TIMES_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK'];
/** No decimal the page sends is longer; the SDK bounds them again. */
const MAX_FIELD_CHARS = 80;

export function ticketFromInputs(inputs: OrderInputs): OrderTicket {
  const side = oneOf(inputs.side, SIDES, 'side');
  const type = oneOf(inputs.type, TYPES, 'order type');
  const timeInForce = oneOf(inputs.timeInForce, TIMES_IN_FORCE, 'time in force');
  const symbol = field(inputs.symbol, 'market', true)!;
  const amount = field(inputs.amount, 'amount', true)!;
  const minQty = field(inputs.minQty, 'min quantity', false);
  if (inputs.postOnly && (type !== 'limit' || timeInForce !== 'GTC')) throw invalid('post-only applies to resting limit orders (GTC) only');
  const params: CreateOrderParams = {
    timeInForce,
    ...(minQty === undefined ? {} : { minQty }),
    ...(inputs.postOnly ? { postOnly: true } : {}),
  };
  if (type === 'limit') return { symbol, type, side, amount, price: field(inputs.price, 'limit price', true), params };
  const cap = field(inputs.cap, 'cap', false);
  return { symbol, type, side, amount, price: undefined, params: cap === undefined ? params : { ...params, cap } };
}

function oneOf<T extends string>(value: string, options: readonly T[], title: string): T {
  if (!(options as readonly string[]).includes(value)) throw invalid(`${title} must be one of ${options.join(', ')}`);
  return value as T;
}

function field(value: string, title: string, required: boolean): string | undefined {
  const trimmed = value.trim();
  if (trimmed.length > MAX_FIELD_CHARS) throw invalid(`${title} is longer than ${MAX_FIELD_CHARS} characters`);
  if (trimmed === '') {
    if (required) throw invalid(`${title} is required`);
    return undefined;
  }
  return trimmed;
}

function invalid(detail: string): DarkpoolError {
  return new DarkpoolError('CLIENT_ORDER_INVALID', detail);
}
