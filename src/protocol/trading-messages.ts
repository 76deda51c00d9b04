// The trading vocabulary carried inside encrypted frames: what a client may ask of the
// enclave and what the enclave answers. Shared by the SDK (which builds requests) and the
// enclave (which validates them strictly), so both spell every field the same way. Prices,
// sizes and amounts are decimal strings; the enclave turns them into ticks, lots and atoms.

export type WireSide = 'buy' | 'sell';
export type WireOrderType = 'limit' | 'market' | 'midpoint' | 'peg';
export type WireTimeInForce = 'GTC' | 'IOC' | 'FOK' | 'GTT';
export type WireSelfTradePrevention = 'cancelNewest' | 'cancelOldest' | 'cancelBoth' | 'decrement';

export interface PlaceOrderBody {
  readonly market: string;
  readonly clientOrderId: string;
  readonly side: WireSide;
  readonly type: WireOrderType;
  /** Base size as a decimal string, a whole number of lots. */
  readonly size: string;
  /** Limit price (limit orders), as a decimal string on the tick grid. */
  readonly price?: string;
  /** Worst acceptable price of a market order. */
  readonly protectionPrice?: string;
  /** Worst price a midpoint or peg order accepts. */
  readonly cap?: string;
  /** Peg offset in whole ticks toward the other side (may be negative). */
  readonly offsetTicks?: number;
  readonly timeInForce?: WireTimeInForce;
  /** Expiry of a GTT order, in milliseconds since the epoch. */
  readonly expireAtMs?: number;
  readonly postOnly?: boolean;
  /** Smallest fill this order accepts, as a base decimal string. */
  readonly minQty?: string;
  readonly selfTradePrevention?: WireSelfTradePrevention;
}

export interface OrderRefBody {
  readonly market: string;
  readonly orderId?: number;
  readonly clientOrderId?: string;
}

export interface AmendOrderBody extends OrderRefBody {
  readonly size?: string;
  readonly price?: string;
}

export interface CancelAllBody {
  readonly market?: string;
}

export interface QuoteLevel {
  readonly side: WireSide;
  readonly price: string;
  readonly size: string;
  readonly clientOrderId: string;
}

/** Replaces the account's previous mass-quote ladder in the market atomically: one sequenced command. */
export interface MassQuoteBody {
  readonly market: string;
  readonly quotes: readonly QuoteLevel[];
}

/** Dead-man switch: cancel all the account's orders when no heartbeat arrives for afterMs; 0 disarms. */
export interface DeadManBody {
  readonly afterMs: number;
}

/** Cancel-on-disconnect for this session: when it ends, the account's orders are cancelled. */
export interface CancelOnDisconnectBody {
  readonly enabled: boolean;
}

export interface WithdrawBody {
  readonly asset: string;
  readonly amount: string;
}

/** Asks for execution reports after this stream sequence (resume after reconnect). */
export interface ResumeBody {
  readonly afterSeq: number;
}

/** Every request type and its body. */
export interface RequestBodies {
  'order.place': PlaceOrderBody;
  'order.cancel': OrderRefBody;
  'order.amend': AmendOrderBody;
  'order.cancelAll': CancelAllBody;
  'order.massQuote': MassQuoteBody;
  'session.deadMan': DeadManBody;
  'session.heartbeat': Record<string, never>;
  'session.resume': ResumeBody;
  'session.cancelOnDisconnect': CancelOnDisconnectBody;
  'query.orders': CancelAllBody;
  'query.trades': Record<string, never>;
  'query.balances': Record<string, never>;
  'funds.withdraw': WithdrawBody;
}

export type RequestType = keyof RequestBodies;
export const REQUEST_TYPES: readonly RequestType[] = [
  'order.place', 'order.cancel', 'order.amend', 'order.cancelAll', 'order.massQuote',
  'session.deadMan', 'session.heartbeat', 'session.resume', 'session.cancelOnDisconnect',
  'query.orders', 'query.trades', 'query.balances', 'funds.withdraw',
];

// ───────────────────────────── answers ─────────────────────────────

export interface OpenOrderWire {
  readonly market: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: WireSide;
  readonly type: WireOrderType;
  readonly price: string | null;
  readonly remaining: string;
  readonly timeInForce: WireTimeInForce;
}

export interface TradeWire {
  readonly tradeId: number;
  readonly market: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: WireSide;
  readonly liquidity: 'maker' | 'taker';
  readonly price: string;
  readonly size: string;
  readonly fee: string;
  readonly feeAsset: string;
  readonly timeMs: number;
}

export interface BalanceWire {
  readonly asset: string;
  readonly available: string;
  readonly reserved: string;
  /** Received this settlement window, paid out on-chain when it closes. */
  readonly settling: string;
}

/** The answer to one request, correlated by the request's envelope id. */
export interface ResultBodies {
  'order.place': { readonly orderId: number; readonly clientOrderId: string };
  'order.cancel': { readonly orderId: number };
  'order.amend': { readonly orderId: number };
  'order.cancelAll': { readonly cancelled: number };
  'order.massQuote': { readonly orderIds: readonly number[] };
  'session.deadMan': { readonly afterMs: number };
  'session.heartbeat': { readonly timeMs: number };
  'session.resume': { readonly replayed: number; readonly lastSeq: number };
  'session.cancelOnDisconnect': { readonly enabled: boolean };
  'query.orders': { readonly orders: readonly OpenOrderWire[] };
  'query.trades': { readonly trades: readonly TradeWire[] };
  'query.balances': { readonly balances: readonly BalanceWire[] };
  'funds.withdraw': { readonly withdrawalId: string };
}

/** Envelope type "result": body = { request, result }. Envelope type "error": body = ErrorBody. */
export interface ErrorBody {
  readonly code: number;
  readonly name: string;
  readonly message: string;
}

/** What an execution report says happened to one of the recipient's orders or funds. */
export type ReportKind = 'accepted' | 'fill' | 'amended' | 'cancelled' | 'expired' | 'done' | 'rejected' | 'settlement' | 'deposit' | 'withdrawal';

/**
 * One entry of an account's execution stream (envelope type "report"). seq increases by one per
 * entry for the account, so a client that reconnects resumes after the last seq it saw.
 */
export interface ReportBody {
  readonly seq: number;
  readonly kind: ReportKind;
  readonly timeMs: number;
  readonly market?: string;
  readonly orderId?: number;
  readonly clientOrderId?: string;
  readonly side?: WireSide;
  /** Remaining size after this event. */
  readonly remaining?: string;
  readonly trade?: TradeWire;
  readonly reason?: string;
  readonly code?: number;
  readonly asset?: string;
  readonly amount?: string;
  readonly batchId?: string;
  readonly status?: string;
}
