// The matcher's contract: the market spec it trades under, the commands it accepts and the
// events it emits. Every other part of the engine (sequencer, escrow, reports, settlement,
// the reference book and the benchmark) speaks these types, so they live apart from any
// implementation and change only with care.
//
// MATCHING RULES (the fast book in ./matcher.ts and the naive reference book must agree on every event)
//
// Sequencing. A command whose stamp is malformed (seq not a safe integer ≥ 1, timeMs not a safe
// integer ≥ 0, unknown type) is rejected COMMAND_MALFORMED; seq ≤ the last accepted seq → SEQUENCE_NOT_INCREASING; timeMs below
// the last → TIME_WENT_BACKWARDS. These three change nothing. Otherwise seq/timeMs are recorded, then
// every resting GTT order of every market with expireAtMs ≤ timeMs expires, ordered by
// (expireAtMs, orderId): `expired` then `done(expired)`. Then the command applies.
//
// Order ids. A placed order's id is its place command's seq; amends keep it. Trade ids count up
// from 1 across the matcher.
//
// Place validation, first failure wins: MARKET_UNKNOWN, ACCOUNT_INVALID, CLIENT_ORDER_ID_INVALID,
// SIDE_INVALID, ORDER_TYPE_INVALID, SIZE_INVALID / SIZE_TOO_LARGE / SIZE_BELOW_MINIMUM, the pricing
// fields (PRICE_INVALID / PRICE_TOO_LARGE for priceTicks, protectionPriceTicks and capTicks;
// PEG_OFFSET_INVALID when |offsetTicks| > maxPriceTicks or not an integer), TIME_IN_FORCE_INVALID
// (market orders: IOC or FOK only), EXPIRY_INVALID, POST_ONLY_NOT_ALLOWED (post-only: limit orders
// with GTC or GTT only), MIN_QTY_INVALID / MIN_QTY_EXCEEDS_SIZE, SELF_TRADE_PREVENTION_INVALID,
// ORDER_TYPE_NOT_IN_AUCTION (auction markets: limit or market only, no minQty, no post-only, no FOK),
// CLIENT_ORDER_ID_DUPLICATE, REFERENCE_UNAVAILABLE (primary peg without a usable reference; its price
// is then bid + offset (buy) or ask − offset (sell), bounded by the cap, and PRICE_INVALID /
// PRICE_TOO_LARGE if outside 1..maxPriceTicks), PRICE_OUTSIDE_BAND (limit price, market protection
// price, peg price; only while the reference is usable), ACCOUNTS_FULL, then capacity for orders that
// may rest (GTC/GTT in continuous markets, every order in auction markets): BOOK_FULL,
// ACCOUNT_ORDER_LIMIT, PEGGED_ORDERS_FULL (midpoint and primary peg), GTT_ORDERS_FULL, LEVELS_FULL
// (priced order whose price has no level while the side is full), then POST_ONLY_WOULD_TRADE (the
// order would fill or trigger self-trade prevention on arrival).
//
// Reference. Usable when set, bidTicks ≤ askTicks, and command timeMs − reference timeMs ≤
// referenceStalenessMs. The mid in half ticks is bidTicks + askTicks.
//
// Continuous matching. An incoming order (the taker) meets resting orders of the other side in
// priority order: priced levels best price first, FIFO within a level; the midpoint queue (FIFO,
// only while the reference is usable) sits at the mid, after any level whose price equals the mid.
// The taker accepts a resting order when its price (mid for midpoint orders) is at or better than
// the taker's limit: limit price, market protection price, peg price, or for a midpoint taker the
// mid itself (and only while the reference is usable and the mid is within its cap). A resting
// midpoint order whose cap excludes the mid is skipped. For each accepted resting order, in order:
//   1. if the command has used maxFillsPerCommand fills or visited maxMakersVisitedPerCommand resting
//      orders, matching stops: the taker's remainder is cancelled ('fillLimit');
//   2. the visit is counted;
//   3. a midpoint maker whose cap excludes the mid is skipped;
//   4. same account: self-trade prevention with the taker's mode (see SelfTradePrevention; decrement
//      emits `cancelled(selfTrade)` for the maker first, then for the taker);
//   5. q = min(taker remaining, maker remaining); if q is below either order's minQtyLots the maker
//      is skipped;
//   6. fill q at: the mid if either order is a midpoint order, else the maker's price. A maker left
//      with 0 is `done(filled)`; a maker left below its minQtyLots is cancelled ('belowMinQty').
//      A taker left above 0 but below its minQtyLots stops matching and is cancelled ('belowMinQty').
// Then the taker: 0 left → `done(filled)` (or `done(cancelled)` if a decrement took the last lots);
// IOC, FOK and market remainders are cancelled ('unfilled'); GTC and GTT remainders rest at the tail.
// FOK first checks, without side effects, that the same walk would leave nothing; if not, it is
// accepted and cancelled whole ('unfilled'). Event order for a place: accepted, then per resting
// order its fill / cancelled / done events, then the taker's cancelled / done.
//
// setReference stores the quote. If usable, resting primary pegs whose price changes are re-priced in
// orderId order: `amended(cause 'peg', priorityKept false)`, then they match as takers and rest at
// the tail (or are cancelled 'referenceUnavailable' outside 1..maxPriceTicks, 'levelLimit' on a full
// side). Then every resting midpoint order, in orderId order, matches as a taker against the other
// side while staying in its queue; its remainder stays.
//
// Cancel / cancelAll: `cancelled(user | cancelAll)` then `done(cancelled)`; cancelAll goes oldest
// orderId first and emits nothing when there is nothing to cancel. Amend: ORDER_NOT_FOUND,
// SIZE_INVALID / SIZE_TOO_LARGE, PRICE_INVALID / PRICE_TOO_LARGE, AMEND_PRICE_NOT_APPLICABLE (price on
// a non-limit order), AMEND_INVALID (no change), AMEND_BELOW_MIN_QTY, PRICE_OUTSIDE_BAND, LEVELS_FULL,
// POST_ONLY_WOULD_TRADE. A pure size-down keeps priority; otherwise the order leaves the book,
// `amended(priorityKept false)` is emitted and it re-enters like a taker (continuous) or at the tail
// (auction).
//
// Auctions. Candidate prices are the resting price levels of both sides (market orders rest at their
// protection price until the auction). For each candidate p: demand D = lots bid at ≥ p, supply
// S = lots offered at ≤ p. The clearing price maximises min(D, S); ties: smallest |D − S|, then
// closest to the mid when the reference is usable, then the lower price. Best bid and best offer
// (price, then FIFO) are paired at the clearing price until one side is exhausted at that price;
// the earlier orderId is named maker and both pay makerFeeBps. Same-account pairs apply the newer
// order's self-trade prevention. Then resting IOC and market orders are cancelled ('unfilled') in
// orderId order, and `auctionRun` reports the price and volume.
import type { MatchingErrorName } from '../errors/matching.js';

// ───────────────────────────── vocabulary ─────────────────────────────

export type Side = 'buy' | 'sell';

/** GTC rests until cancelled; IOC trades what it can now; FOK trades all now or nothing; GTT rests until expireAtMs. */
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'GTT';

/**
 * What happens when an incoming order would trade with a resting order of the same account.
 * The incoming (newest) order's mode decides; in an auction, the later-arrived order's mode.
 * - cancelNewest: the incoming order's remainder is cancelled; the resting order stays.
 * - cancelOldest: the resting order is cancelled; the incoming order continues matching.
 * - cancelBoth: both are cancelled.
 * - decrement: both shrink by the smaller remaining size without a fill; whichever reaches zero is done.
 */
export type SelfTradePrevention = 'cancelNewest' | 'cancelOldest' | 'cancelBoth' | 'decrement';

/** Continuous price-time priority, or periodic uniform-price batch auctions run by `auction` commands. */
export type MatchingMode = 'continuous' | 'auction';

export type OrderType = 'limit' | 'market' | 'midpoint' | 'primaryPeg';

// ───────────────────────────── market spec ─────────────────────────────

/**
 * Named bounds of one market. Every loop in the matcher is bounded by one of these, and every
 * bound that input can hit is a coded reject rather than a crash.
 */
export interface MarketLimits {
  /** Resting orders in the book, all kinds together (BOOK_FULL). */
  readonly maxOrdersPerBook: number;
  /** Resting orders of one account in this market (ACCOUNT_ORDER_LIMIT). */
  readonly maxOrdersPerAccount: number;
  /** Distinct price levels on one side (LEVELS_FULL). */
  readonly maxLevelsPerSide: number;
  /** Resting midpoint plus primary peg orders; they are rescanned on every setReference (PEGGED_ORDERS_FULL). */
  readonly maxPeggedOrders: number;
  /** Resting GTT orders (GTT_ORDERS_FULL). */
  readonly maxGttOrders: number;
  /** Fills one command may produce; a taker that reaches it has its remainder cancelled with reason 'fillLimit'. */
  readonly maxFillsPerCommand: number;
  /**
   * Resting orders one taker may look at (fills, skips for minimum quantity, self-trade actions).
   * Reaching it ends matching like maxFillsPerCommand.
   */
  readonly maxMakersVisitedPerCommand: number;
  /** Largest price in ticks, also the largest reference quote (PRICE_TOO_LARGE). At most 2^31 - 1. */
  readonly maxPriceTicks: number;
  /** Largest order size in lots (SIZE_TOO_LARGE). At most 2^31 - 1. */
  readonly maxSizeLots: number;
}

/**
 * A validated market, as built by `buildMarketSpec` from decimal strings. The matcher works only
 * with the integer fields: prices are whole ticks, sizes whole lots, notionals bigint quote atoms.
 *
 * Price of one tick in quote units = tickSize; size of one lot in base units = lotSize.
 * notionalQuoteAtoms = priceTicks × sizeLots × quoteAtomsPerTickLot, exactly, in bigint.
 * A midpoint fill may be at half a tick: notional = priceHalfTicks × sizeLots × quoteAtomsPerTickLot / 2,
 * exact because quoteAtomsPerTickLot is required to be even.
 *
 * Fees (documented rounding rule): fee = ceil(notionalQuoteAtoms × feeBps / 10 000) in quote atoms,
 * computed in bigint, separately for maker and taker. Rounding up means the venue never
 * undercharges by a fraction of an atom, and a non-zero rate on a non-zero notional always costs
 * at least one atom. Auction fills have no aggressor: both sides pay makerFeeBps.
 */
export interface MarketSpec {
  /** Market id as used in commands, e.g. "DOT/USDC". */
  readonly id: string;
  /** Base asset symbol (what is bought and sold). */
  readonly base: string;
  /** Quote asset symbol (what prices and fees are paid in). */
  readonly quote: string;
  /** Atoms per whole base unit, as a power of ten. */
  readonly baseDecimals: number;
  /** Atoms per whole quote unit, as a power of ten. */
  readonly quoteDecimals: number;
  /** Tick size in quote units per base unit, canonical decimal string (e.g. "0.01"). */
  readonly tickSize: string;
  /** Lot size in base units, canonical decimal string (e.g. "0.001"). */
  readonly lotSize: string;
  /** Base atoms in one lot = lotSize × 10^baseDecimals. */
  readonly baseAtomsPerLot: bigint;
  /** Quote atoms of one tick of price on one lot = tickSize × lotSize × 10^quoteDecimals; always even. */
  readonly quoteAtomsPerTickLot: bigint;
  /** Smallest order size in lots (at least 1). Applies to new orders, not to remainders. */
  readonly minSizeLots: number;
  /**
   * When set and the reference is usable (set, not crossed, not stale), priced orders must lie
   * within ±priceBandBps of the reference mid: |price − mid| × 10 000 ≤ mid × priceBandBps.
   */
  readonly priceBandBps: number | undefined;
  readonly mode: MatchingMode;
  /** Least logical time between two auctions of an auction market (ignored for continuous markets). */
  readonly auctionIntervalMs: number;
  /** Integer basis points, 0..1000. */
  readonly makerFeeBps: number;
  /** Integer basis points, 0..1000. */
  readonly takerFeeBps: number;
  /** A reference older than this (command timeMs − reference timeMs > bound) is stale. */
  readonly referenceStalenessMs: number;
  readonly limits: MarketLimits;
}

/** The edge form of a market spec: sizes as decimal strings, limits optional (defaults apply). */
export interface MarketSpecInput {
  readonly id: string;
  readonly base: string;
  readonly quote: string;
  readonly baseDecimals: number;
  readonly quoteDecimals: number;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly minSizeLots?: number;
  readonly priceBandBps?: number;
  readonly mode?: MatchingMode;
  readonly auctionIntervalMs?: number;
  readonly makerFeeBps?: number;
  readonly takerFeeBps?: number;
  readonly referenceStalenessMs?: number;
  readonly limits?: Partial<MarketLimits>;
}

/** Bounds that span markets. */
export interface MatcherLimits {
  /** Distinct accounts ever seen (ACCOUNTS_FULL). */
  readonly maxAccounts: number;
  /** Longest account string, in UTF-16 code units. */
  readonly maxAccountLength: number;
  /** Longest client order id, in UTF-16 code units. */
  readonly maxClientOrderIdLength: number;
  /**
   * Client order ids of finished orders remembered per account, besides those of open orders, so
   * that a retried order is rejected as a duplicate instead of placed twice. Oldest forgotten first.
   */
  readonly recentClientOrderIdsPerAccount: number;
}

// ───────────────────────────── commands ─────────────────────────────

/** Stamped by the sequencer; the matcher never reads a clock. */
export interface Stamp {
  /** Safe integer ≥ 1, strictly increasing across all commands of a matcher. A placed order's id is its command's seq. */
  readonly seq: number;
  /** Logical milliseconds; never decreasing. Orders with expireAtMs ≤ timeMs expire before the command applies. */
  readonly timeMs: number;
}

/**
 * How the order is priced. A discriminated union on orderType.
 * - limit: trades at priceTicks or better; rests at priceTicks.
 * - market: trades at protectionPriceTicks or better, never rests (IOC or FOK only).
 * - midpoint: trades only at the reference mid (possibly half a tick), never while the reference is
 *   missing, crossed or stale; capTicks, when set, is the worst mid it accepts. Rests in its own queue.
 * - primaryPeg: priced at the same-side reference quote moved by offsetTicks toward the other side
 *   (buy: bid + offset, sell: ask − offset; negative offsets are less aggressive), bounded by capTicks.
 *   Needs a usable reference on arrival; re-priced (losing time priority) on every setReference.
 */
export type OrderPricing =
  | { readonly orderType: 'limit'; readonly priceTicks: number }
  | { readonly orderType: 'market'; readonly protectionPriceTicks: number }
  | { readonly orderType: 'midpoint'; readonly capTicks: number | undefined }
  | { readonly orderType: 'primaryPeg'; readonly offsetTicks: number; readonly capTicks: number | undefined };

export type PlaceCommand = Stamp & OrderPricing & {
  readonly type: 'place';
  readonly account: string;
  /** Chosen by the trader; unique per account among open and recently finished orders. */
  readonly clientOrderId: string;
  readonly market: string;
  readonly side: Side;
  readonly sizeLots: number;
  readonly timeInForce: TimeInForce;
  /** Required for GTT (and > timeMs), absent otherwise. */
  readonly expireAtMs: number | undefined;
  /** Limit orders with GTC/GTT only; rejected (POST_ONLY_WOULD_TRADE) instead of trading on arrival. */
  readonly postOnly: boolean;
  /** Every fill of this order is at least this many lots, also while resting; 0 for none. */
  readonly minQtyLots: number;
  readonly selfTradePrevention: SelfTradePrevention;
};

/** Names one of the account's open orders. */
export type OrderRef = { readonly orderId: number } | { readonly clientOrderId: string };

export interface CancelCommand extends Stamp {
  readonly type: 'cancel';
  /** Must own the order; someone else's order is reported as ORDER_NOT_FOUND. */
  readonly account: string;
  readonly market: string;
  readonly order: OrderRef;
}

/**
 * Changes an open order. newSizeLots is the new remaining size. Shrinking keeps time priority;
 * growing, or a new price (limit orders only), loses it: the order leaves the book and re-enters
 * as if it arrived now (same order id), trading if it crosses.
 */
export interface AmendCommand extends Stamp {
  readonly type: 'amend';
  readonly account: string;
  readonly market: string;
  readonly order: OrderRef;
  readonly newSizeLots: number | undefined;
  readonly newPriceTicks: number | undefined;
}

/** Cancels every open order of the account, in one market or (market undefined) in all, oldest first. */
export interface CancelAllCommand extends Stamp {
  readonly type: 'cancelAll';
  readonly account: string;
  readonly market: string | undefined;
}

/**
 * The external reference quote for midpoint and primary peg orders and the price band. Stamped
 * with the command's timeMs for staleness. A crossed reference (bid > ask) is stored but unusable.
 * Afterwards primary pegs re-price and resting midpoint orders try to trade, oldest first.
 */
export interface SetReferenceCommand extends Stamp {
  readonly type: 'setReference';
  readonly market: string;
  readonly bidTicks: number;
  readonly askTicks: number;
}

/** Runs one uniform-price batch auction in an auction market. */
export interface AuctionCommand extends Stamp {
  readonly type: 'auction';
  readonly market: string;
}

/** Only moves logical time, expiring GTT orders that are due. */
export interface AdvanceTimeCommand extends Stamp {
  readonly type: 'advanceTime';
}

export type Command =
  | PlaceCommand
  | CancelCommand
  | AmendCommand
  | CancelAllCommand
  | SetReferenceCommand
  | AuctionCommand
  | AdvanceTimeCommand;

export type CommandType = Command['type'];

// ───────────────────────────── events ─────────────────────────────

/** Every event names the command that caused it. */
export interface EventStamp {
  readonly seq: number;
  readonly timeMs: number;
}

/** The order passed validation and is live; it may trade, rest, or end within the same command. */
export interface AcceptedEvent extends EventStamp {
  readonly type: 'accepted';
  readonly market: string;
  readonly orderId: number;
  readonly account: string;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly sizeLots: number;
}

/** The command changed nothing. code/name come from the error table (src/errors/matching.ts). */
export interface RejectedEvent extends EventStamp {
  readonly type: 'rejected';
  /** The rejected command's type, 'unknown' when it had none the matcher knows. */
  readonly command: CommandType | 'unknown';
  readonly code: number;
  readonly name: MatchingErrorName;
  readonly detail: string | undefined;
  readonly market: string | undefined;
  readonly account: string | undefined;
  readonly clientOrderId: string | undefined;
  readonly orderId: number | undefined;
}

/**
 * One execution between a resting (maker) and an incoming (taker) order. In auctions the earlier
 * arrival is named maker and both pay makerFeeBps. The price is exact: priceHalfTicks / 2 ticks.
 */
export interface FillEvent extends EventStamp {
  readonly type: 'fill';
  readonly market: string;
  /** Increasing across the matcher, never reused. */
  readonly tradeId: number;
  readonly auction: boolean;
  readonly makerOrderId: number;
  readonly takerOrderId: number;
  readonly makerAccount: string;
  readonly takerAccount: string;
  readonly makerClientOrderId: string;
  readonly takerClientOrderId: string;
  readonly takerSide: Side;
  /** Twice the price in ticks, so midpoint fills at half a tick are exact. */
  readonly priceHalfTicks: number;
  readonly sizeLots: number;
  /** priceHalfTicks × sizeLots × quoteAtomsPerTickLot / 2, exact. */
  readonly notionalQuoteAtoms: bigint;
  readonly makerFeeQuoteAtoms: bigint;
  readonly takerFeeQuoteAtoms: bigint;
  readonly makerRemainingLots: number;
  readonly takerRemainingLots: number;
}

/** 'user' for an amend command; 'peg' when a primary peg re-priced after setReference. */
export type AmendCause = 'user' | 'peg';

/** The order's remaining size and/or price changed. */
export interface AmendedEvent extends EventStamp {
  readonly type: 'amended';
  readonly market: string;
  readonly orderId: number;
  readonly account: string;
  readonly clientOrderId: string;
  readonly cause: AmendCause;
  readonly sizeLots: number;
  /** The resting price; undefined for midpoint orders. */
  readonly priceTicks: number | undefined;
  readonly priorityKept: boolean;
}

/**
 * Why lots were cancelled:
 * - user: a cancel command. cancelAll: a cancelAll command.
 * - selfTrade: self-trade prevention (decrement may leave the order live with remainingLots > 0).
 * - unfilled: the IOC, FOK or market remainder that may not rest (FOK: the whole order).
 * - fillLimit: the command reached maxFillsPerCommand or maxMakersVisitedPerCommand.
 * - belowMinQty: the remainder fell below the order's minimum quantity, so it could never trade again.
 * - referenceUnavailable: a re-priced primary peg fell outside 1..maxPriceTicks.
 * - levelLimit: a re-priced primary peg needed a new price level on a full side.
 */
export type CancelReason = 'user' | 'cancelAll' | 'selfTrade' | 'unfilled' | 'fillLimit' | 'belowMinQty' | 'referenceUnavailable' | 'levelLimit';

export interface CancelledEvent extends EventStamp {
  readonly type: 'cancelled';
  readonly market: string;
  readonly orderId: number;
  readonly account: string;
  readonly clientOrderId: string;
  readonly reason: CancelReason;
  readonly cancelledLots: number;
  /** Lots still live after this event; 0 means a `done` follows. */
  readonly remainingLots: number;
}

/** A GTT order reached its expiry; a `done` follows. */
export interface ExpiredEvent extends EventStamp {
  readonly type: 'expired';
  readonly market: string;
  readonly orderId: number;
  readonly account: string;
  readonly clientOrderId: string;
  readonly expiredLots: number;
}

/** Why an order ended. */
export type DoneReason = 'filled' | 'cancelled' | 'expired';

/**
 * The order is no longer live (filled, cancelled or expired) and its client order id moves to the
 * recently-finished memory. remainingLots is what was still live when it ended: the cancelled or
 * expired remainder, 0 when it ended by a fill or by a self-trade decrement. Escrow releases on
 * `cancelled.cancelledLots` and `expired.expiredLots`; `done` only marks the end.
 */
export interface DoneEvent extends EventStamp {
  readonly type: 'done';
  readonly market: string;
  readonly orderId: number;
  readonly account: string;
  readonly clientOrderId: string;
  readonly reason: DoneReason;
  readonly remainingLots: number;
}

/** Internal outcome of an auction command; not addressed to any trader. */
export interface AuctionRunEvent extends EventStamp {
  readonly type: 'auctionRun';
  readonly market: string;
  /** undefined when nothing crossed. */
  readonly clearingPriceTicks: number | undefined;
  /** Lots executed (self-trade prevention may keep this below the crossing volume). */
  readonly volumeLots: number;
}

export type MatchEvent =
  | AcceptedEvent
  | RejectedEvent
  | FillEvent
  | AmendedEvent
  | CancelledEvent
  | ExpiredEvent
  | DoneEvent
  | AuctionRunEvent;

export type MatchEventType = MatchEvent['type'];

/** Receives events in order. The matcher calls it synchronously and does not keep the events. */
export type EventSink = (event: MatchEvent) => void;

// ───────────────────────────── owner queries ─────────────────────────────

/** One open order as its owner may see it. There is no public book. */
export interface OpenOrderView {
  readonly market: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly orderType: OrderType;
  /** Resting price; undefined for midpoint orders. */
  readonly priceTicks: number | undefined;
  readonly remainingLots: number;
  readonly minQtyLots: number;
  readonly timeInForce: TimeInForce;
  readonly expireAtMs: number | undefined;
  readonly postOnly: boolean;
  readonly selfTradePrevention: SelfTradePrevention;
  /** Offset for primary pegs, undefined otherwise. */
  readonly offsetTicks: number | undefined;
  /** Cap for midpoint and primary peg orders, undefined when none. */
  readonly capTicks: number | undefined;
}

/** The usable-or-not reference quote of a market, for owners and tests. */
export interface ReferenceQuote {
  readonly bidTicks: number;
  readonly askTicks: number;
  readonly timeMs: number;
}

// ───────────────────────────── engines ─────────────────────────────

/** What the fast matcher and the naive reference book both offer, so one property suite drives both. */
export interface MatchingEngine {
  /** Applies one command, delivering its events to the sink in order. Never throws for bad input. */
  apply(command: Command, sink: EventSink): void;
  /** The account's open orders (optionally in one market), oldest order id first. */
  openOrders(account: string, market?: string): OpenOrderView[];
  /** Throws when an internal invariant is broken; tests call it after every command. */
  checkInvariants(): void;
}

/** Construction of a matcher: its markets (built by buildMarketSpec) and matcher-wide limits. */
export interface MatcherOptions {
  readonly markets: readonly MarketSpec[];
  readonly limits?: Partial<MatcherLimits>;
}
