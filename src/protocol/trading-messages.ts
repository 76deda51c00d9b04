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

/** Moves funds to another shard: debits here and answers with a voucher the target shard credits once (docs/shards.md). */
export interface TransferOutBody {
  readonly asset: string;
  readonly amount: string;
  readonly toShard: string;
  /** The target shard's attested Ed25519 identity key, 64 hex: the voucher is good only there. */
  readonly toIdentity: string;
  /** The trader's id for this transfer: a retry with the same id returns the same voucher. */
  readonly transferId: string;
}

/** A voucher as the issuing shard signed it. */
export interface VoucherWire {
  readonly payload: string;
  readonly signatureHex: string;
}

/** Redeems a voucher from another shard; issuerBundle is the issuing shard's attestation bundle (canonical JSON). */
export interface TransferInBody {
  readonly voucher: VoucherWire;
  readonly issuerBundle: string;
}

/** Where to deposit an asset so that the enclave credits this session's account. */
export interface DepositAddressBody {
  readonly asset: string;
}

/**
 * Bounds of a paged list query (docs/protocol.md §5.2). The enclave also stops a page early when
 * one more item would make the answer larger than one frame, so a page always fits.
 */
export const QUERY_PAGE_LIMITS = {
  /** Items one page may hold; also the page size when the request names no limit. */
  maxItemsPerPage: 500,
  /** A cursor is at most this many characters of [0-9a-f] (an id in decimal, or an asset symbol's UTF-8 in hex). */
  maxCursorChars: 128,
} as const;

/**
 * Paging of a list query: `cursor` is the previous answer's nextCursor, unchanged (absent for the
 * first page); `limit` caps the items (1 to QUERY_PAGE_LIMITS.maxItemsPerPage). Items come in
 * ascending key order (order id, trade id, voucher number, asset symbol's UTF-8 bytes) and a cursor is the key of
 * the page's last item, so a page continues strictly after it: an item that exists throughout
 * is listed exactly once however orders, trades or balances change between pages.
 */
export interface PageRequestBody {
  readonly cursor?: string;
  readonly limit?: number;
}

export interface OrdersQueryBody extends PageRequestBody {
  readonly market?: string;
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
  'query.orders': OrdersQueryBody;
  'query.trades': PageRequestBody;
  'query.balances': PageRequestBody;
  'query.depositAddress': DepositAddressBody;
  'funds.withdraw': WithdrawBody;
  'funds.transferOut': TransferOutBody;
  'funds.transferIn': TransferInBody;
  'query.transfers': PageRequestBody;
}

export type RequestType = keyof RequestBodies;
export const REQUEST_TYPES: readonly RequestType[] = [
  'order.place', 'order.cancel', 'order.amend', 'order.cancelAll', 'order.massQuote',
  'session.deadMan', 'session.heartbeat', 'session.resume', 'session.cancelOnDisconnect',
  'query.orders', 'query.trades', 'query.balances', 'query.depositAddress', 'funds.withdraw',
  'funds.transferOut', 'funds.transferIn', 'query.transfers',
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

/**
 * Where a trade stands in settlement: in the open window (pending), netted into a closed
 * window's sealed batch (netted), its batch's XCM messages sent (submitted), executed on the
 * chain (confirmed), or the last attempt failed (failed; a retry moves it back to submitted).
 */
export type WireSettlementStatus = 'pending' | 'netted' | 'submitted' | 'confirmed' | 'failed';
export const SETTLEMENT_STATUSES: readonly WireSettlementStatus[] = ['pending', 'netted', 'submitted', 'confirmed', 'failed'];

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
  /** Set in query.trades answers: the trade's settlement status now (fill reports leave it out: a new fill is pending). */
  readonly settlement?: WireSettlementStatus;
  /** Set in query.trades answers once the trade's settlement window closed. */
  readonly settlementWindow?: number;
}

/** An XCM junction as JSON; a GeneralIndex's index is a decimal string. */
export type JunctionWire =
  | { readonly kind: 'Parachain'; readonly id: number }
  | { readonly kind: 'AccountId32'; readonly id: string }
  | { readonly kind: 'PalletInstance'; readonly index: number }
  | { readonly kind: 'GeneralIndex'; readonly index: string };

/**
 * Where to deposit one asset, as the enclave itself states it: the pool account on the settlement
 * chain, the asset's XCM location there, and the crediting convention. A final transfer into the
 * pool is credited to the account whose AccountId32 sent it; there is no memo.
 */
export interface DepositAddressWire {
  readonly chain: string;
  readonly asset: string;
  readonly assetLocation: { readonly parents: number; readonly interior: readonly JunctionWire[] };
  readonly poolAccountHex: string;
  readonly poolAccountSs58: string;
  readonly ss58Prefix: number;
  /** The account the transfer must come from (0x hex and SS58): the trader's own AccountId32. */
  readonly senderAccountHex: string;
  readonly senderAccountSs58: string;
  /** The engine account credited: the trader's identity key, 64 hex. */
  readonly creditedAccount: string;
  readonly convention: 'sender';
  readonly memo: null;
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
  'query.orders': { readonly orders: readonly OpenOrderWire[]; readonly nextCursor: string | null };
  'query.trades': { readonly trades: readonly TradeWire[]; readonly nextCursor: string | null };
  'query.balances': { readonly balances: readonly BalanceWire[]; readonly nextCursor: string | null };
  'query.depositAddress': DepositAddressWire;
  'funds.withdraw': { readonly withdrawalId: string };
  'funds.transferOut': { readonly voucher: VoucherWire; readonly voucherId: string };
  'funds.transferIn': { readonly voucherId: string; readonly asset: string; readonly amountAtoms: string; readonly fromShard: string };
  'query.transfers': { readonly vouchers: readonly (VoucherWire & { readonly voucherId: string })[]; readonly nextCursor: string | null };
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
  /**
   * Settlement reports: the engine's window number, and the account's trades it covers — every
   * trade of the account with firstTradeId ≤ tradeId ≤ lastTradeId, tradeCount of them (trade
   * ids are global and windows contiguous, so the range is exact).
   */
  readonly window?: number;
  readonly firstTradeId?: number;
  readonly lastTradeId?: number;
  readonly tradeCount?: number;
  /** The netted report: the account's net payout per asset in this window (atoms, may be empty). */
  readonly payouts?: readonly { readonly asset: string; readonly amount: string }[];
}
