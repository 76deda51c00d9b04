// Turns a trader's decrypted request into an exact, integer command, or a coded error. This is
// the one place where wire decimals become ticks, lots and atoms inside the enclave; what it
// returns is what the sequencer journals, so replay never parses a decimal again.
import { Decimal } from 'decimal.js';
import { CodedError } from '../errors/index.js';
import { DecimalEdge } from '../matching/decimal-edge.js';
import type { MarketSpec, OrderPricing, SelfTradePrevention, Side, TimeInForce } from '../matching/types.js';
import { QUERY_PAGE_LIMITS, type RequestType } from '../protocol/trading-messages.js';
import { parseSignedVoucher, VOUCHER_LIMITS, type SignedVoucher } from './shard/voucher.js';

/** A place order with every field exact; the matcher's PlaceCommand minus stamp and account. */
export type OrderSpec = OrderPricing & {
  readonly market: string;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly sizeLots: number;
  readonly timeInForce: TimeInForce;
  readonly expireAtMs: number | undefined;
  readonly postOnly: boolean;
  readonly minQtyLots: number;
  readonly selfTradePrevention: SelfTradePrevention;
};

export type OrderRefSpec = { readonly orderId: number } | { readonly clientOrderId: string };

/** A validated request, ready to be sequenced. */
export type TradingRequest =
  | { readonly type: 'order.place'; readonly order: OrderSpec }
  | { readonly type: 'order.cancel'; readonly market: string; readonly order: OrderRefSpec }
  | { readonly type: 'order.amend'; readonly market: string; readonly order: OrderRefSpec; readonly newSizeLots: number | undefined; readonly newPriceTicks: number | undefined }
  | { readonly type: 'order.cancelAll'; readonly market: string | undefined }
  | { readonly type: 'order.massQuote'; readonly market: string; readonly quotes: readonly OrderSpec[] }
  | { readonly type: 'funds.withdraw'; readonly asset: string; readonly atoms: bigint }
  | { readonly type: 'funds.transferOut'; readonly asset: string; readonly atoms: bigint; readonly toShard: string; readonly toIdentityHex: string; readonly transferId: string }
  | { readonly type: 'funds.transferIn'; readonly voucher: SignedVoucher; readonly issuerBundle: string };

/**
 * Where a page of a list query starts (strictly after this key; undefined for the first page)
 * and how many items it may hold. Keys are ids for orders, trades and vouchers, and the hex of
 * the asset symbol's UTF-8 for balances.
 */
export interface PageSpec<Key extends number | string> {
  readonly after: Key | undefined;
  readonly limit: number;
}

/** Requests answered by the session layer or read-only queries: never journaled. */
export type SessionRequest =
  | { readonly type: 'session.deadMan'; readonly afterMs: number }
  | { readonly type: 'session.heartbeat' }
  | { readonly type: 'session.resume'; readonly afterSeq: number }
  | { readonly type: 'session.cancelOnDisconnect'; readonly enabled: boolean }
  | { readonly type: 'query.orders'; readonly market: string | undefined; readonly page: PageSpec<number> }
  | { readonly type: 'query.trades'; readonly page: PageSpec<number> }
  | { readonly type: 'query.transfers'; readonly page: PageSpec<number> }
  | { readonly type: 'query.balances'; readonly page: PageSpec<string> }
  | { readonly type: 'query.depositAddress'; readonly asset: string };

export const REQUEST_LIMITS = {
  maxQuotesPerMassQuote: 64,
  maxDeadManMs: 3_600_000,
  minDeadManMs: 100,
  maxClientOrderIdLength: 64,
  maxOffsetTicks: 1_000_000,
} as const;

const CLIENT_ORDER_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const SHARD_ID = /^[A-Za-z0-9_-]{1,32}$/;
const IDENTITY_HEX = /^[0-9a-f]{64}$/;
const AMOUNT = /^(0|[1-9][0-9]{0,39})(\.[0-9]{1,36})?$/;
const ID_CURSOR = /^(0|[1-9][0-9]{0,15})$/;
const HEX_CURSOR = /^(?:[0-9a-f]{2}){1,64}$/;

type Body = Record<string, unknown>;

function bad(detail: string): CodedError {
  return new CodedError('REQUEST_INVALID', detail);
}

function only(body: Body, allowed: readonly string[], title: string): void {
  for (const key of Object.keys(body)) if (!allowed.includes(key)) throw bad(`${title}: unknown field "${key}"`);
}

function text(value: unknown, title: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) throw bad(`${title} must be a string of 1 to 64 characters`);
  return value;
}

function optionalInt(value: unknown, min: number, max: number, title: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) throw bad(`${title} must be an integer in [${min}, ${max}]`);
  return value;
}

function oneOf<T extends string>(value: unknown, options: readonly T[], fallback: T | undefined, title: string): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) throw bad(`${title} must be one of ${options.join(', ')}`);
  return value as T;
}

function flag(value: unknown, title: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw bad(`${title} must be true or false`);
  return value;
}

function clientOrderId(value: unknown): string {
  if (typeof value !== 'string' || !CLIENT_ORDER_ID.test(value)) throw bad('clientOrderId must be 1 to 64 of A-Z a-z 0-9 _ . : -');
  return value;
}

function orderRef(body: Body): OrderRefSpec {
  if (body.orderId !== undefined && body.clientOrderId !== undefined) throw bad('name the order by orderId or clientOrderId, not both');
  if (body.orderId !== undefined) return { orderId: optionalInt(body.orderId, 1, Number.MAX_SAFE_INTEGER, 'orderId')! };
  if (body.clientOrderId !== undefined) return { clientOrderId: clientOrderId(body.clientOrderId) };
  throw bad('name the order by orderId or clientOrderId');
}

/** Parses a decimal amount of an asset into atoms, refusing anything that is not exact. */
export function parseAtoms(value: unknown, decimals: number, title: string): bigint {
  if (typeof value !== 'string' || !AMOUNT.test(value)) throw bad(`${title} must be a plain positive decimal string`);
  const scaled = new Decimal(value).times(new Decimal(10).pow(decimals));
  if (!scaled.isInteger()) throw bad(`${title} has more than ${decimals} decimal places`);
  const atoms = BigInt(scaled.toFixed(0));
  if (atoms <= 0n) throw bad(`${title} must be positive`);
  return atoms;
}

function pageLimit(value: unknown): number {
  if (value === undefined) return QUERY_PAGE_LIMITS.maxItemsPerPage;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > QUERY_PAGE_LIMITS.maxItemsPerPage) {
    throw new CodedError('QUERY_LIMIT_INVALID', `limit must be an integer in [1, ${QUERY_PAGE_LIMITS.maxItemsPerPage}]`);
  }
  return value;
}

/** A page keyed by an id: the cursor is the last id seen, in decimal. */
function idPage(body: Body): PageSpec<number> {
  const limit = pageLimit(body.limit);
  if (body.cursor === undefined) return { after: undefined, limit };
  if (typeof body.cursor !== 'string' || !ID_CURSOR.test(body.cursor) || !Number.isSafeInteger(Number(body.cursor))) {
    throw new CodedError('QUERY_CURSOR_INVALID', 'expected a decimal id');
  }
  return { after: Number(body.cursor), limit };
}

/** A page keyed by asset: the cursor is the hex of the last asset symbol's UTF-8. */
function assetPage(body: Body): PageSpec<string> {
  const limit = pageLimit(body.limit);
  if (body.cursor === undefined) return { after: undefined, limit };
  if (typeof body.cursor !== 'string' || !HEX_CURSOR.test(body.cursor)) throw new CodedError('QUERY_CURSOR_INVALID', 'expected lowercase hex');
  return { after: body.cursor, limit };
}

/** Converts the wire fields of one order (a place body or a mass-quote level) for a market. */
function orderSpec(body: Body, market: MarketSpec, edge: DecimalEdge, quoteLevel: boolean): OrderSpec {
  const side = oneOf<Side>(body.side, ['buy', 'sell'], undefined, 'side');
  const common = {
    market: market.id,
    clientOrderId: clientOrderId(body.clientOrderId),
    side,
    sizeLots: edge.sizeLots(body.size),
  };
  if (quoteLevel) {
    only(body, ['side', 'price', 'size', 'clientOrderId'], 'quote');
    return { ...common, orderType: 'limit', priceTicks: edge.priceTicks(body.price), timeInForce: 'GTC', expireAtMs: undefined, postOnly: true, minQtyLots: 0, selfTradePrevention: 'cancelOldest' };
  }
  only(body, ['market', 'clientOrderId', 'side', 'type', 'size', 'price', 'protectionPrice', 'cap', 'offsetTicks', 'timeInForce', 'expireAtMs', 'postOnly', 'minQty', 'selfTradePrevention'], 'order');
  const type = oneOf(body.type, ['limit', 'market', 'midpoint', 'peg'] as const, undefined, 'type');
  const timeInForce = oneOf<TimeInForce>(body.timeInForce, ['GTC', 'IOC', 'FOK', 'GTT'], type === 'market' ? 'IOC' : 'GTC', 'timeInForce');
  const expireAtMs = optionalInt(body.expireAtMs, 1, Number.MAX_SAFE_INTEGER, 'expireAtMs');
  if ((timeInForce === 'GTT') !== (expireAtMs !== undefined)) throw bad('expireAtMs goes with timeInForce GTT, and only with it');
  const rest = {
    ...common,
    timeInForce,
    expireAtMs,
    postOnly: flag(body.postOnly, 'postOnly'),
    minQtyLots: body.minQty === undefined ? 0 : edge.sizeLots(body.minQty, 'minQty'),
    selfTradePrevention: oneOf<SelfTradePrevention>(body.selfTradePrevention, ['cancelNewest', 'cancelOldest', 'cancelBoth', 'decrement'], 'cancelNewest', 'selfTradePrevention'),
  };
  const cap = body.cap === undefined ? undefined : edge.priceTicks(body.cap, 'cap');
  switch (type) {
    case 'limit':
      return { ...rest, orderType: 'limit', priceTicks: edge.priceTicks(body.price) };
    case 'market':
      return { ...rest, orderType: 'market', protectionPriceTicks: edge.priceTicks(body.protectionPrice, 'protectionPrice') };
    case 'midpoint':
      return { ...rest, orderType: 'midpoint', capTicks: cap };
    case 'peg':
      return { ...rest, orderType: 'primaryPeg', offsetTicks: optionalInt(body.offsetTicks, -REQUEST_LIMITS.maxOffsetTicks, REQUEST_LIMITS.maxOffsetTicks, 'offsetTicks') ?? 0, capTicks: cap };
  }
}

/** The markets and assets a request may name. */
export interface RequestContext {
  readonly markets: ReadonlyMap<string, MarketSpec>;
  readonly edges: ReadonlyMap<string, DecimalEdge>;
  /** Asset symbol → decimals, for withdrawals. */
  readonly assets: ReadonlyMap<string, number>;
}

function marketOf(context: RequestContext, value: unknown): [MarketSpec, DecimalEdge] {
  const id = text(value, 'market');
  const market = context.markets.get(id);
  const edge = context.edges.get(id);
  if (market === undefined || edge === undefined) throw new CodedError('REQUEST_MARKET_UNKNOWN', id);
  return [market, edge];
}

/** Validates one decrypted request. Throws a CodedError (REQUEST_* or DECIMAL_*) for anything malformed. */
export function parseRequest(type: string, body: unknown, context: RequestContext): TradingRequest | SessionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('body must be an object');
  const fields = body as Body;
  switch (type as RequestType) {
    case 'order.place': {
      const [market, edge] = marketOf(context, fields.market);
      return { type: 'order.place', order: orderSpec(fields, market, edge, false) };
    }
    case 'order.cancel': {
      only(fields, ['market', 'orderId', 'clientOrderId'], 'cancel');
      const [market] = marketOf(context, fields.market);
      return { type: 'order.cancel', market: market.id, order: orderRef(fields) };
    }
    case 'order.amend': {
      only(fields, ['market', 'orderId', 'clientOrderId', 'size', 'price'], 'amend');
      const [market, edge] = marketOf(context, fields.market);
      if (fields.size === undefined && fields.price === undefined) throw bad('amend needs a new size or price');
      return {
        type: 'order.amend', market: market.id, order: orderRef(fields),
        newSizeLots: fields.size === undefined ? undefined : edge.sizeLots(fields.size),
        newPriceTicks: fields.price === undefined ? undefined : edge.priceTicks(fields.price),
      };
    }
    case 'order.cancelAll': {
      only(fields, ['market'], 'cancelAll');
      return { type: 'order.cancelAll', market: fields.market === undefined ? undefined : marketOf(context, fields.market)[0].id };
    }
    case 'order.massQuote': {
      only(fields, ['market', 'quotes'], 'massQuote');
      const [market, edge] = marketOf(context, fields.market);
      if (!Array.isArray(fields.quotes) || fields.quotes.length > REQUEST_LIMITS.maxQuotesPerMassQuote) {
        throw bad(`quotes must be an array of at most ${REQUEST_LIMITS.maxQuotesPerMassQuote} levels`);
      }
      const quotes = fields.quotes.map((level: unknown) => {
        if (typeof level !== 'object' || level === null || Array.isArray(level)) throw bad('each quote must be an object');
        return orderSpec(level as Body, market, edge, true);
      });
      if (new Set(quotes.map((q) => q.clientOrderId)).size !== quotes.length) throw bad('quote clientOrderIds must differ');
      return { type: 'order.massQuote', market: market.id, quotes };
    }
    case 'funds.withdraw': {
      only(fields, ['asset', 'amount'], 'withdraw');
      const asset = text(fields.asset, 'asset');
      const decimals = context.assets.get(asset);
      if (decimals === undefined) throw new CodedError('REQUEST_ASSET_UNKNOWN', asset);
      return { type: 'funds.withdraw', asset, atoms: parseAtoms(fields.amount, decimals, 'amount') };
    }
    case 'funds.transferOut': {
      only(fields, ['asset', 'amount', 'toShard', 'toIdentity', 'transferId'], 'transferOut');
      const asset = text(fields.asset, 'asset');
      const decimals = context.assets.get(asset);
      if (decimals === undefined) throw new CodedError('REQUEST_ASSET_UNKNOWN', asset);
      const toShard = text(fields.toShard, 'toShard');
      const toIdentityHex = text(fields.toIdentity, 'toIdentity');
      const transferId = text(fields.transferId, 'transferId');
      if (!SHARD_ID.test(toShard) || !IDENTITY_HEX.test(toIdentityHex) || !CLIENT_ORDER_ID.test(transferId)) throw new CodedError('SHARD_TRANSFER_INVALID');
      return { type: 'funds.transferOut', asset, atoms: parseAtoms(fields.amount, decimals, 'amount'), toShard, toIdentityHex, transferId };
    }
    case 'funds.transferIn': {
      only(fields, ['voucher', 'issuerBundle'], 'transferIn');
      if (typeof fields.issuerBundle !== 'string' || fields.issuerBundle.length > VOUCHER_LIMITS.maxIssuerBundleChars) throw new CodedError('SHARD_VOUCHER_MALFORMED', 'issuerBundle');
      return { type: 'funds.transferIn', voucher: parseSignedVoucher(fields.voucher), issuerBundle: fields.issuerBundle };
    }
    case 'query.transfers':
      only(fields, ['cursor', 'limit'], 'transfers');
      return { type: 'query.transfers', page: idPage(fields) };
    case 'session.deadMan': {
      only(fields, ['afterMs'], 'deadMan');
      const afterMs = optionalInt(fields.afterMs, 0, REQUEST_LIMITS.maxDeadManMs, 'afterMs');
      if (afterMs === undefined || (afterMs !== 0 && afterMs < REQUEST_LIMITS.minDeadManMs)) throw bad(`afterMs must be 0 or in [${REQUEST_LIMITS.minDeadManMs}, ${REQUEST_LIMITS.maxDeadManMs}]`);
      return { type: 'session.deadMan', afterMs };
    }
    case 'session.heartbeat':
      only(fields, [], 'heartbeat');
      return { type: 'session.heartbeat' };
    case 'session.resume': {
      only(fields, ['afterSeq'], 'resume');
      return { type: 'session.resume', afterSeq: optionalInt(fields.afterSeq, 0, Number.MAX_SAFE_INTEGER, 'afterSeq') ?? 0 };
    }
    case 'session.cancelOnDisconnect': {
      only(fields, ['enabled'], 'cancelOnDisconnect');
      if (typeof fields.enabled !== 'boolean') throw bad('enabled must be true or false');
      return { type: 'session.cancelOnDisconnect', enabled: fields.enabled };
    }
    case 'query.orders':
      only(fields, ['market', 'cursor', 'limit'], 'orders');
      return { type: 'query.orders', market: fields.market === undefined ? undefined : marketOf(context, fields.market)[0].id, page: idPage(fields) };
    case 'query.trades':
      only(fields, ['cursor', 'limit'], 'trades');
      return { type: 'query.trades', page: idPage(fields) };
    case 'query.balances':
      only(fields, ['cursor', 'limit'], 'balances');
      return { type: 'query.balances', page: assetPage(fields) };
    case 'query.depositAddress': {
      only(fields, ['asset'], 'depositAddress');
      const asset = text(fields.asset, 'asset');
      if (!context.assets.has(asset)) throw new CodedError('REQUEST_ASSET_UNKNOWN', asset);
      return { type: 'query.depositAddress', asset };
    }
    default:
      throw new CodedError('REQUEST_TYPE_UNKNOWN', type.slice(0, 64));
  }
}
