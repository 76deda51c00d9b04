// The SDK's public vocabulary, shaped as CCXT users expect (orders, trades, balances with
// free / used / total) but with every price, size and amount a decimal string, never a float.
import type { JunctionWire, ReportKind, WireOrderType, WireSelfTradePrevention, WireSettlementStatus, WireSide, WireTimeInForce } from '../../src/protocol/trading-messages.js';

export type OrderSide = WireSide;
export type OrderType = WireOrderType;
export type TimeInForce = WireTimeInForce;
export type SelfTradePrevention = WireSelfTradePrevention;
/**
 * Where a trade stands in settlement: pending (its settlement window is still open), netted (the
 * window closed and its signed batch is sealed), submitted (the batch's XCM carrying this
 * account's part was sent), confirmed (executed on the chain: final), failed (the last attempt
 * failed; a retry moves it back to submitted).
 */
export type SettlementStatus = WireSettlementStatus;
/** CCXT's statuses: closed means filled. */
export type OrderStatus = 'open' | 'closed' | 'canceled' | 'expired' | 'rejected';

export interface Order {
  /** The enclave's order id, as a string. */
  readonly id: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  /** Unknown for an order this client neither placed nor fetched yet. */
  readonly type: OrderType | undefined;
  readonly side: OrderSide | undefined;
  /** Limit price; undefined for market, midpoint and peg orders and when unknown. */
  readonly price: string | undefined;
  /** Original size plus amends: filled + remaining, when known. */
  readonly amount: string | undefined;
  readonly filled: string | undefined;
  readonly remaining: string;
  readonly status: OrderStatus;
  readonly timeInForce: TimeInForce | undefined;
  /** Why it closed, from the enclave (filled, cancelled, expired, selfTrade, unfilled, …). */
  readonly reason: string | undefined;
  /** Milliseconds since the epoch of the last report or fetch that changed it. */
  readonly lastUpdateTimestamp: number;
}

export interface Trade {
  /** The enclave's trade id, as a string; both parties see the same id. */
  readonly id: string;
  /** The order id of this account's side. */
  readonly order: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly takerOrMaker: 'maker' | 'taker';
  readonly price: string;
  readonly amount: string;
  /** price × amount, in the quote asset. */
  readonly cost: string;
  readonly fee: { readonly cost: string; readonly currency: string };
  readonly timestamp: number;
  readonly settlement: SettlementStatus;
  /** The settlement window holding the trade, once it closed. */
  readonly settlementWindow: number | undefined;
}

/** Where to deposit one asset, as the enclave stated it over the encrypted channel. */
export interface DepositAddress {
  /** The settlement chain, e.g. "para:1000". */
  readonly chain: string;
  readonly asset: string;
  /** The asset's XCM location on that chain (a GeneralIndex's index as a decimal string). */
  readonly assetLocation: { readonly parents: number; readonly interior: readonly JunctionWire[] };
  /** The pool account to transfer to. */
  readonly poolAccount: { readonly hex: string; readonly ss58: string };
  readonly ss58Prefix: number;
  /** The account the transfer must come from: this client's own AccountId32. */
  readonly sendFrom: { readonly hex: string; readonly ss58: string };
  /** "sender": a final transfer into the pool is credited to the account that sent it; there is no memo. */
  readonly convention: 'sender';
  readonly memo: null;
}

export interface BalanceEntry {
  /** Free to trade or withdraw. */
  readonly free: string;
  /** Held for open orders' worst-case cost. */
  readonly used: string;
  /** free + used. */
  readonly total: string;
  /** Received in the current settlement window; paid out on-chain (net) when the window closes. */
  readonly settling: string;
}

export interface Balances {
  readonly assets: Readonly<Record<string, BalanceEntry>>;
  readonly free: Readonly<Record<string, string>>;
  readonly used: Readonly<Record<string, string>>;
  readonly total: Readonly<Record<string, string>>;
  readonly settling: Readonly<Record<string, string>>;
  readonly timestamp: number;
}

export interface CreateOrderParams {
  readonly timeInForce?: TimeInForce;
  /** Limit orders with GTC or GTT only: refuse rather than trade on arrival. */
  readonly postOnly?: boolean;
  /** Smallest fill the order accepts, a base decimal string in whole lots. */
  readonly minQty?: string;
  /** 1–64 of A-Z a-z 0-9 _ . : -; generated when absent. */
  readonly clientOrderId?: string;
  readonly selfTradePrevention?: SelfTradePrevention;
  /** GTT expiry, milliseconds since the epoch; implies timeInForce GTT. */
  readonly expireAtMs?: number;
  /** Market orders: the worst acceptable price (required). */
  readonly protectionPrice?: string;
  /** Midpoint and peg orders: the worst price the order accepts. */
  readonly cap?: string;
  /** Peg orders: offset in whole ticks toward the other side (may be negative). */
  readonly offsetTicks?: number;
}

export interface EditOrderChanges {
  /** New remaining size. */
  readonly amount?: string;
  /** New limit price (limit orders only). */
  readonly price?: string;
}

export interface CancelOrderParams {
  /** Name the order by client order id instead of id (pass id as ''). */
  readonly clientOrderId?: string;
}

export interface QuoteInput {
  readonly side: OrderSide;
  readonly price: string;
  readonly amount: string;
  /** Generated when absent. */
  readonly clientOrderId?: string;
}

export interface MassQuoteResult {
  /** Order ids of the levels that were placed, in the order given (a level may be refused on its own). */
  readonly orderIds: readonly string[];
  readonly clientOrderIds: readonly string[];
}

export interface WithdrawResult {
  readonly id: string;
  readonly asset: string;
  readonly amount: string;
}

/**
 * One entry of the account's execution stream, in sequence order, each seq exactly once per
 * client. Amounts of deposit, withdrawal and settlement reports are decimal strings of the asset.
 */
export interface ExecutionReport {
  readonly seq: number;
  readonly kind: ReportKind;
  readonly timestamp: number;
  readonly symbol?: string;
  readonly orderId?: string;
  readonly clientOrderId?: string;
  readonly side?: OrderSide;
  /** Remaining size after this event. */
  readonly remaining?: string;
  readonly trade?: Trade;
  readonly reason?: string;
  readonly code?: number;
  readonly asset?: string;
  readonly amount?: string;
  readonly batchId?: string;
  readonly status?: string;
  /** Settlement reports: the window and this account's trades in it (ids firstTradeId…lastTradeId, tradeCount of them). */
  readonly window?: number;
  readonly firstTradeId?: string;
  readonly lastTradeId?: string;
  readonly tradeCount?: number;
  /** The netted report: this account's net payout per asset in the window, in decimals of the asset. */
  readonly payouts?: readonly { readonly asset: string; readonly amount: string }[];
}

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';
