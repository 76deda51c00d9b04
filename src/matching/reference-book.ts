// A naive reference matcher: the rules of ./types.ts written as plainly as possible, so that the
// fast matcher can be checked against it event by event. Orders live in one plain array per
// market; every decision re-sorts that array; "would this trade?" questions are answered by running
// the real code on a deep copy. Nothing here is tuned for speed. It shares with the fast matcher
// only the contract types, the error table, the market-spec builder and the snapshot format with
// its hash, so that the two can be compared state for state as well as event for event.
import { MATCHING_ERRORS, type MatchingErrorName } from '../errors/matching.js';
import { buildMarketSpec, buildMatcherLimits } from './market-spec.js';
import { SNAPSHOT_VERSION, stateHashOf, type MatcherSnapshot, type SnapshotMarketSpec } from './snapshot.js';
import type {
  AmendCommand,
  AuctionCommand,
  CancelAllCommand,
  CancelCommand,
  CancelReason,
  Command,
  CommandType,
  DoneReason,
  EventSink,
  MarketSpec,
  MatchEvent,
  MatcherLimits,
  MatcherOptions,
  MatchingEngine,
  OpenOrderView,
  OrderType,
  PlaceCommand,
  ReferenceQuote,
  SelfTradePrevention,
  SetReferenceCommand,
  Side,
  TimeInForce,
} from './types.js';

/** One resting (or in-flight) order, as plain data. */
interface ReferenceOrder {
  orderId: number;
  market: string;
  account: string;
  clientOrderId: string;
  side: Side;
  orderType: OrderType;
  /** Limit price, peg price, or a market order's protection price; 0 for midpoint orders. */
  priceTicks: number;
  remainingLots: number;
  minQtyLots: number;
  timeInForce: TimeInForce;
  expireAtMs: number | undefined;
  postOnly: boolean;
  selfTradePrevention: SelfTradePrevention;
  offsetTicks: number | undefined;
  capTicks: number | undefined;
  /** Queue position: taken from a counter every time the order enters the book, lower is earlier. */
  arrival: number;
}

interface ReferenceMarket {
  spec: MarketSpec;
  /** Resting orders in no particular order; every use sorts. */
  resting: ReferenceOrder[];
  reference: ReferenceQuote | undefined;
  lastAuctionMs: number | undefined;
}

/** The whole state, plain enough for structuredClone (snapshots and what-if runs). */
interface ReferenceState {
  markets: ReferenceMarket[];
  /** Accounts in registration order. */
  accounts: string[];
  /** Client order ids of finished orders per account, oldest first. */
  recent: Map<string, string[]>;
  lastSeq: number;
  lastTimeMs: number;
  nextTradeId: number;
  nextArrival: number;
}

type WalkOutcome = 'exhausted' | 'filled' | 'selfTrade' | 'fillLimit' | 'belowMinQty';

interface WalkResult {
  outcome: WalkOutcome;
  /** A fill or a self-trade action happened. */
  acted: boolean;
  /** The taker's last lots went to a fill (true) or to a self-trade decrement (false). */
  lastLotsFilled: boolean;
}

interface Rejection {
  readonly name: MatchingErrorName;
  readonly detail?: string;
}

const COMMAND_TYPES: readonly CommandType[] = ['place', 'cancel', 'amend', 'cancelAll', 'setReference', 'auction', 'advanceTime'];
const SIDES: readonly string[] = ['buy', 'sell'];
const ORDER_TYPES: readonly string[] = ['limit', 'market', 'midpoint', 'primaryPeg'];
const TIMES_IN_FORCE: readonly string[] = ['GTC', 'IOC', 'FOK', 'GTT'];
const SELF_TRADE_MODES: readonly string[] = ['cancelNewest', 'cancelOldest', 'cancelBoth', 'decrement'];

function discard(): void {}

function isWhole(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

function priceProblem(value: unknown, spec: MarketSpec): Rejection | undefined {
  if (!isWhole(value, 1)) return { name: 'PRICE_INVALID' };
  if (value > spec.limits.maxPriceTicks) return { name: 'PRICE_TOO_LARGE' };
  return undefined;
}

function sizeProblem(value: unknown, spec: MarketSpec): Rejection | undefined {
  if (!isWhole(value, 1)) return { name: 'SIZE_INVALID' };
  if (value > spec.limits.maxSizeLots) return { name: 'SIZE_TOO_LARGE' };
  return undefined;
}

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}

function isPegged(order: ReferenceOrder): boolean {
  return order.orderType === 'midpoint' || order.orderType === 'primaryPeg';
}

/** The edge form of a spec, keys in the order the snapshot format hashes them. */
function specSnapshot(spec: MarketSpec): SnapshotMarketSpec {
  return {
    id: spec.id,
    base: spec.base,
    quote: spec.quote,
    baseDecimals: spec.baseDecimals,
    quoteDecimals: spec.quoteDecimals,
    tickSize: spec.tickSize,
    lotSize: spec.lotSize,
    minSizeLots: spec.minSizeLots,
    priceBandBps: spec.priceBandBps ?? null,
    mode: spec.mode,
    auctionIntervalMs: spec.auctionIntervalMs,
    makerFeeBps: spec.makerFeeBps,
    takerFeeBps: spec.takerFeeBps,
    referenceStalenessMs: spec.referenceStalenessMs,
    limits: { ...spec.limits },
  };
}

function byOrderId(a: ReferenceOrder, b: ReferenceOrder): number {
  return a.orderId - b.orderId;
}

export class ReferenceBook implements MatchingEngine {
  private readonly limits: MatcherLimits;
  private state: ReferenceState;
  private seq = 0;
  private timeMs = 0;
  private sink: EventSink = discard;
  private fillsLeft = 0;
  private visitsLeft = 0;

  constructor(options: MatcherOptions) {
    this.limits = buildMatcherLimits(options.limits);
    const ids = new Set<string>();
    for (const spec of options.markets) {
      if (ids.has(spec.id)) throw new Error(`duplicate market ${spec.id}`);
      ids.add(spec.id);
    }
    this.state = {
      markets: options.markets.map((spec) => ({ spec, resting: [], reference: undefined, lastAuctionMs: undefined })),
      accounts: [],
      recent: new Map(),
      lastSeq: 0,
      lastTimeMs: 0,
      nextTradeId: 1,
      nextArrival: 1,
    };
  }

  // ───────────────────────────── public API ─────────────────────────────

  apply(command: Command, sink: EventSink): void {
    this.sink = sink;
    const raw: Record<string, unknown> = typeof command === 'object' && command !== null ? (command as unknown as Record<string, unknown>) : {};
    const type = raw['type'];
    const stampOk = typeof command === 'object' && command !== null
      && typeof type === 'string' && (COMMAND_TYPES as readonly string[]).includes(type)
      && isWhole(raw['seq'], 1) && isWhole(raw['timeMs'], 0);
    if (!stampOk) {
      this.seq = typeof raw['seq'] === 'number' && Number.isSafeInteger(raw['seq']) ? raw['seq'] : 0;
      this.timeMs = typeof raw['timeMs'] === 'number' && Number.isSafeInteger(raw['timeMs']) ? raw['timeMs'] : 0;
      this.reject(command, { name: 'COMMAND_MALFORMED' });
      return;
    }
    this.seq = command.seq;
    this.timeMs = command.timeMs;
    if (command.seq <= this.state.lastSeq) { this.reject(command, { name: 'SEQUENCE_NOT_INCREASING' }); return; }
    if (command.timeMs < this.state.lastTimeMs) { this.reject(command, { name: 'TIME_WENT_BACKWARDS' }); return; }
    this.state.lastSeq = command.seq;
    this.state.lastTimeMs = command.timeMs;
    this.expireDue();
    switch (command.type) {
      case 'place': this.place(command); break;
      case 'cancel': this.cancel(command); break;
      case 'amend': this.amend(command); break;
      case 'cancelAll': this.cancelAll(command); break;
      case 'setReference': this.setReference(command); break;
      case 'auction': this.auction(command); break;
      case 'advanceTime': break;
    }
  }

  /** Applies one command and returns its events. */
  execute(command: Command): MatchEvent[] {
    const events: MatchEvent[] = [];
    this.apply(command, (event) => { events.push(event); });
    return events;
  }

  openOrders(account: string, market?: string): OpenOrderView[] {
    const views: OpenOrderView[] = [];
    for (const book of this.state.markets) {
      if (market !== undefined && book.spec.id !== market) continue;
      for (const order of book.resting) if (order.account === account) views.push(this.viewOf(order));
    }
    return views.sort((a, b) => a.orderId - b.orderId);
  }

  reference(market: string): ReferenceQuote | undefined {
    return this.findMarket(market)?.reference;
  }

  restingOrderCount(market?: string): number {
    let count = 0;
    for (const book of this.state.markets) if (market === undefined || book.spec.id === market) count += book.resting.length;
    return count;
  }

  /** The state in the fast matcher's snapshot format, built independently from this book's plain data. */
  snapshot(): MatcherSnapshot {
    return {
      version: SNAPSHOT_VERSION,
      lastSeq: this.state.lastSeq,
      lastTimeMs: this.state.lastTimeMs,
      nextTradeId: this.state.nextTradeId,
      limits: { ...this.limits },
      accounts: this.state.accounts.map((name) => ({ name, recent: [...(this.state.recent.get(name) ?? [])] })),
      books: this.state.markets.map((book) => ({
        spec: specSnapshot(book.spec),
        reference: book.reference === undefined ? null : { ...book.reference },
        lastAuctionMs: book.lastAuctionMs ?? null,
        orders: this.inPriority(book).map((order) => ({ ...this.viewOf(order), account: order.account })),
      })),
    };
  }

  /** The same hash the fast matcher computes over the same snapshot format. */
  stateHash(): string {
    return stateHashOf(this.snapshot());
  }

  /** Rebuilds a reference book from a snapshot (its own or the fast matcher's). */
  static restore(snapshot: MatcherSnapshot): ReferenceBook {
    const markets = snapshot.books.map((book) => buildMarketSpec({ ...book.spec, priceBandBps: book.spec.priceBandBps ?? undefined }));
    const restored = new ReferenceBook({ markets, limits: snapshot.limits });
    const state = restored.state;
    state.lastSeq = snapshot.lastSeq;
    state.lastTimeMs = snapshot.lastTimeMs;
    state.nextTradeId = snapshot.nextTradeId;
    for (const account of snapshot.accounts) {
      state.accounts.push(account.name);
      state.recent.set(account.name, [...account.recent]);
    }
    snapshot.books.forEach((book, index) => {
      const market = state.markets[index]!;
      market.reference = book.reference === null ? undefined : { ...book.reference };
      market.lastAuctionMs = book.lastAuctionMs ?? undefined;
      for (const view of book.orders) {
        market.resting.push({
          orderId: view.orderId,
          market: view.market,
          account: view.account,
          clientOrderId: view.clientOrderId,
          side: view.side,
          orderType: view.orderType,
          priceTicks: view.priceTicks ?? 0,
          remainingLots: view.remainingLots,
          minQtyLots: view.minQtyLots,
          timeInForce: view.timeInForce,
          expireAtMs: view.expireAtMs,
          postOnly: view.postOnly,
          selfTradePrevention: view.selfTradePrevention,
          offsetTicks: view.offsetTicks,
          capTicks: view.capTicks,
          arrival: state.nextArrival++,
        });
      }
    });
    return restored;
  }

  /** Throws when a rule that must hold between commands does not. */
  checkInvariants(): void {
    const live = new Map<string, Set<string>>();
    const ids = new Set<number>();
    for (const book of this.state.markets) {
      for (const order of book.resting) {
        if (ids.has(order.orderId)) throw new Error(`invariant: order ${order.orderId} rests twice`);
        ids.add(order.orderId);
        if (order.market !== book.spec.id) throw new Error(`invariant: order ${order.orderId} rests in the wrong market`);
        if (!isWhole(order.remainingLots, 1)) throw new Error(`invariant: order ${order.orderId} rests with ${order.remainingLots} lots`);
        if (order.remainingLots < order.minQtyLots) throw new Error(`invariant: order ${order.orderId} rests below its minimum quantity`);
        if (book.spec.mode === 'continuous' && (order.timeInForce === 'IOC' || order.timeInForce === 'FOK')) {
          throw new Error(`invariant: ${order.timeInForce} order ${order.orderId} rests in a continuous market`);
        }
        if (order.timeInForce === 'GTT' && (order.expireAtMs === undefined || order.expireAtMs <= this.state.lastTimeMs)) {
          throw new Error(`invariant: GTT order ${order.orderId} rests past its expiry`);
        }
        const names = live.get(order.account) ?? new Set<string>();
        if (names.has(order.clientOrderId)) throw new Error(`invariant: client order id ${order.clientOrderId} is live twice`);
        names.add(order.clientOrderId);
        live.set(order.account, names);
      }
      const limits = book.spec.limits;
      if (book.resting.length > limits.maxOrdersPerBook) throw new Error('invariant: book over maxOrdersPerBook');
      for (const side of SIDES as Side[]) {
        if (this.levelPrices(book, side).length > limits.maxLevelsPerSide) throw new Error(`invariant: ${side} side over maxLevelsPerSide`);
      }
    }
    for (const [account, names] of this.state.recent) {
      if (names.length > this.limits.recentClientOrderIdsPerAccount) throw new Error(`invariant: ${account} remembers too many finished ids`);
    }
  }

  // ───────────────────────────── commands ─────────────────────────────

  private place(command: PlaceCommand): void {
    const book = this.findMarket(command.market);
    if (book === undefined) { this.reject(command, { name: 'MARKET_UNKNOWN' }); return; }
    const problem = this.placeShapeProblem(command, book.spec);
    if (problem !== undefined) { this.reject(command, problem); return; }
    const known = this.state.accounts.includes(command.account);
    if (known && this.isDuplicate(command.account, command.clientOrderId)) { this.reject(command, { name: 'CLIENT_ORDER_ID_DUPLICATE' }); return; }
    let priceTicks = 0;
    if (command.orderType === 'limit') priceTicks = command.priceTicks;
    else if (command.orderType === 'market') priceTicks = command.protectionPriceTicks;
    else if (command.orderType === 'primaryPeg') {
      if (!this.usable(book)) { this.reject(command, { name: 'REFERENCE_UNAVAILABLE' }); return; }
      priceTicks = this.pegPrice(book, command.side, command.offsetTicks, command.capTicks);
      const outside = priceProblem(priceTicks, book.spec);
      if (outside !== undefined) { this.reject(command, outside); return; }
    }
    if (command.orderType !== 'midpoint' && !this.withinBand(book, priceTicks)) { this.reject(command, { name: 'PRICE_OUTSIDE_BAND' }); return; }
    if (!known && this.state.accounts.length >= this.limits.maxAccounts) { this.reject(command, { name: 'ACCOUNTS_FULL' }); return; }
    const order: ReferenceOrder = {
      orderId: command.seq,
      market: book.spec.id,
      account: command.account,
      clientOrderId: command.clientOrderId,
      side: command.side,
      orderType: command.orderType,
      priceTicks,
      remainingLots: command.sizeLots,
      minQtyLots: command.minQtyLots,
      timeInForce: command.timeInForce,
      expireAtMs: command.expireAtMs,
      postOnly: command.postOnly,
      selfTradePrevention: command.selfTradePrevention,
      offsetTicks: command.orderType === 'primaryPeg' ? command.offsetTicks : undefined,
      capTicks: command.orderType === 'midpoint' || command.orderType === 'primaryPeg' ? command.capTicks : undefined,
      arrival: 0,
    };
    const mayRest = book.spec.mode === 'auction' || order.timeInForce === 'GTC' || order.timeInForce === 'GTT';
    if (mayRest) {
      const full = this.capacityProblem(book, order);
      if (full !== undefined) { this.reject(command, full); return; }
    }
    this.startBudgets(book);
    if (order.postOnly && this.whatIf(book, order).acted) { this.reject(command, { name: 'POST_ONLY_WOULD_TRADE' }); return; }
    if (!known) this.state.accounts.push(order.account);
    this.emit({ type: 'accepted', market: order.market, orderId: order.orderId, account: order.account, clientOrderId: order.clientOrderId, side: order.side, orderType: order.orderType, sizeLots: order.remainingLots });
    if (book.spec.mode === 'auction') { this.rest(book, order); return; }
    if (order.timeInForce === 'FOK' && this.whatIf(book, order).outcome !== 'filled') {
      this.cancelWhole(book, order, 'unfilled');
      return;
    }
    this.settle(book, order, this.walk(book, order), false);
  }

  private cancel(command: CancelCommand): void {
    const found = this.findTarget(command);
    if ('name' in found) { this.reject(command, found); return; }
    this.cancelWhole(found.book, found.order, 'user');
  }

  private amend(command: AmendCommand): void {
    const found = this.findTarget(command);
    if ('name' in found) { this.reject(command, found); return; }
    const { book, order } = found;
    const spec = book.spec;
    const problem = (command.newSizeLots === undefined ? undefined : sizeProblem(command.newSizeLots, spec))
      ?? (command.newPriceTicks === undefined ? undefined : priceProblem(command.newPriceTicks, spec))
      ?? (command.newPriceTicks !== undefined && order.orderType !== 'limit' ? { name: 'AMEND_PRICE_NOT_APPLICABLE' as const } : undefined);
    if (problem !== undefined) { this.reject(command, problem, order.orderId); return; }
    const newSize = command.newSizeLots ?? order.remainingLots;
    const newPrice = command.newPriceTicks ?? order.priceTicks;
    if (newSize === order.remainingLots && newPrice === order.priceTicks) { this.reject(command, { name: 'AMEND_INVALID' }, order.orderId); return; }
    if (newSize < order.minQtyLots) { this.reject(command, { name: 'AMEND_BELOW_MIN_QTY' }, order.orderId); return; }
    const priceChanges = newPrice !== order.priceTicks;
    if (priceChanges && !this.withinBand(book, newPrice)) { this.reject(command, { name: 'PRICE_OUTSIDE_BAND' }, order.orderId); return; }
    if (priceChanges && !this.hasLevelRoom(book, order.side, newPrice)) { this.reject(command, { name: 'LEVELS_FULL' }, order.orderId); return; }
    if (!priceChanges && newSize < order.remainingLots) {
      order.remainingLots = newSize;
      this.emitAmended(order, 'user', true);
      return;
    }
    this.startBudgets(book);
    if (order.postOnly) {
      const moved = { ...order, remainingLots: newSize, priceTicks: newPrice };
      if (this.whatIf(book, moved).acted) { this.reject(command, { name: 'POST_ONLY_WOULD_TRADE' }, order.orderId); return; }
    }
    this.unrest(book, order);
    order.remainingLots = newSize;
    order.priceTicks = newPrice;
    this.emitAmended(order, 'user', false);
    if (spec.mode === 'auction') this.rest(book, order);
    else this.settle(book, order, this.walk(book, order), false);
  }

  private cancelAll(command: CancelAllCommand): void {
    if (!this.accountOk(command.account)) { this.reject(command, { name: 'ACCOUNT_INVALID' }); return; }
    if (command.market !== undefined && this.findMarket(command.market) === undefined) { this.reject(command, { name: 'MARKET_UNKNOWN' }); return; }
    const targets: { book: ReferenceMarket; order: ReferenceOrder }[] = [];
    for (const book of this.state.markets) {
      if (command.market !== undefined && book.spec.id !== command.market) continue;
      for (const order of book.resting) if (order.account === command.account) targets.push({ book, order });
    }
    targets.sort((a, b) => a.order.orderId - b.order.orderId);
    for (const target of targets) this.cancelWhole(target.book, target.order, 'cancelAll');
  }

  private setReference(command: SetReferenceCommand): void {
    const book = this.findMarket(command.market);
    if (book === undefined) { this.reject(command, { name: 'MARKET_UNKNOWN' }); return; }
    if (priceProblem(command.bidTicks, book.spec) !== undefined || priceProblem(command.askTicks, book.spec) !== undefined) {
      this.reject(command, { name: 'REFERENCE_INVALID' });
      return;
    }
    book.reference = { bidTicks: command.bidTicks, askTicks: command.askTicks, timeMs: command.timeMs };
    if (book.spec.mode !== 'continuous' || !this.usable(book)) return;
    this.startBudgets(book);
    const pegs = book.resting.filter((order) => order.orderType === 'primaryPeg').sort(byOrderId);
    for (const peg of pegs) {
      if (!book.resting.includes(peg)) continue;
      const price = this.pegPrice(book, peg.side, peg.offsetTicks ?? 0, peg.capTicks);
      if (price === peg.priceTicks) continue;
      if (priceProblem(price, book.spec) !== undefined) { this.cancelWhole(book, peg, 'referenceUnavailable'); continue; }
      this.unrest(book, peg);
      peg.priceTicks = price;
      this.emitAmended(peg, 'peg', false);
      this.settle(book, peg, this.walk(book, peg), false);
    }
    const midpoints = book.resting.filter((order) => order.orderType === 'midpoint').sort(byOrderId);
    for (const midpoint of midpoints) {
      if (!book.resting.includes(midpoint)) continue;
      this.settle(book, midpoint, this.walk(book, midpoint), true);
    }
  }

  private auction(command: AuctionCommand): void {
    const book = this.findMarket(command.market);
    if (book === undefined) { this.reject(command, { name: 'MARKET_UNKNOWN' }); return; }
    if (book.spec.mode !== 'auction') { this.reject(command, { name: 'AUCTION_NOT_AUCTION_MARKET' }); return; }
    if (book.lastAuctionMs !== undefined && this.timeMs - book.lastAuctionMs < book.spec.auctionIntervalMs) {
      this.reject(command, { name: 'AUCTION_TOO_EARLY' });
      return;
    }
    this.startBudgets(book);
    const clearingPriceTicks = this.clearingPrice(book);
    let volumeLots = 0;
    if (clearingPriceTicks !== undefined) volumeLots = this.pairAtClearingPrice(book, clearingPriceTicks);
    const immediate = book.resting.filter((order) => order.timeInForce === 'IOC').sort(byOrderId);
    for (const order of immediate) this.cancelWhole(book, order, 'unfilled');
    book.lastAuctionMs = this.timeMs;
    this.emit({ type: 'auctionRun', market: book.spec.id, clearingPriceTicks, volumeLots });
  }

  // ───────────────────────────── validation ─────────────────────────────

  private accountOk(account: unknown): account is string {
    return typeof account === 'string' && account.length >= 1 && account.length <= this.limits.maxAccountLength;
  }

  /** Every check of a place command that needs no book state, first failure wins. */
  private placeShapeProblem(command: PlaceCommand, spec: MarketSpec): Rejection | undefined {
    if (!this.accountOk(command.account)) return { name: 'ACCOUNT_INVALID' };
    const clientOrderId: unknown = command.clientOrderId;
    if (typeof clientOrderId !== 'string' || clientOrderId.length < 1 || clientOrderId.length > this.limits.maxClientOrderIdLength) return { name: 'CLIENT_ORDER_ID_INVALID' };
    if (!SIDES.includes(command.side)) return { name: 'SIDE_INVALID' };
    if (!ORDER_TYPES.includes(command.orderType)) return { name: 'ORDER_TYPE_INVALID' };
    const size = sizeProblem(command.sizeLots, spec);
    if (size !== undefined) return size;
    if (command.sizeLots < spec.minSizeLots) return { name: 'SIZE_BELOW_MINIMUM' };
    if (command.orderType === 'limit') {
      const price = priceProblem(command.priceTicks, spec);
      if (price !== undefined) return price;
    } else if (command.orderType === 'market') {
      const price = priceProblem(command.protectionPriceTicks, spec);
      if (price !== undefined) return price;
    } else {
      if (command.orderType === 'primaryPeg') {
        const offset: unknown = command.offsetTicks;
        if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || Math.abs(offset) > spec.limits.maxPriceTicks) return { name: 'PEG_OFFSET_INVALID' };
      }
      if (command.capTicks !== undefined) {
        const cap = priceProblem(command.capTicks, spec);
        if (cap !== undefined) return cap;
      }
    }
    if (!TIMES_IN_FORCE.includes(command.timeInForce)) return { name: 'TIME_IN_FORCE_INVALID' };
    if (command.orderType === 'market' && command.timeInForce !== 'IOC' && command.timeInForce !== 'FOK') return { name: 'TIME_IN_FORCE_INVALID' };
    if (command.timeInForce === 'GTT') {
      if (!isWhole(command.expireAtMs, command.timeMs + 1)) return { name: 'EXPIRY_INVALID' };
    } else if (command.expireAtMs !== undefined) return { name: 'EXPIRY_INVALID' };
    const postOnly: unknown = command.postOnly;
    if (typeof postOnly !== 'boolean') return { name: 'COMMAND_MALFORMED' };
    if (postOnly && !(command.orderType === 'limit' && (command.timeInForce === 'GTC' || command.timeInForce === 'GTT'))) return { name: 'POST_ONLY_NOT_ALLOWED' };
    if (!isWhole(command.minQtyLots, 0)) return { name: 'MIN_QTY_INVALID' };
    if (command.minQtyLots > command.sizeLots) return { name: 'MIN_QTY_EXCEEDS_SIZE' };
    if (!SELF_TRADE_MODES.includes(command.selfTradePrevention)) return { name: 'SELF_TRADE_PREVENTION_INVALID' };
    if (spec.mode === 'auction') {
      if (command.orderType !== 'limit' && command.orderType !== 'market') return { name: 'ORDER_TYPE_NOT_IN_AUCTION' };
      if (command.minQtyLots > 0 || postOnly || command.timeInForce === 'FOK') return { name: 'ORDER_TYPE_NOT_IN_AUCTION' };
    }
    return undefined;
  }

  /** The capacity checks for an order that may rest, first failure wins. */
  private capacityProblem(book: ReferenceMarket, order: ReferenceOrder): Rejection | undefined {
    const limits = book.spec.limits;
    if (book.resting.length >= limits.maxOrdersPerBook) return { name: 'BOOK_FULL' };
    if (book.resting.filter((other) => other.account === order.account).length >= limits.maxOrdersPerAccount) return { name: 'ACCOUNT_ORDER_LIMIT' };
    if (isPegged(order) && book.resting.filter(isPegged).length >= limits.maxPeggedOrders) return { name: 'PEGGED_ORDERS_FULL' };
    if (order.timeInForce === 'GTT' && book.resting.filter((other) => other.timeInForce === 'GTT').length >= limits.maxGttOrders) return { name: 'GTT_ORDERS_FULL' };
    if (order.orderType !== 'midpoint' && !this.hasLevelRoom(book, order.side, order.priceTicks)) return { name: 'LEVELS_FULL' };
    return undefined;
  }

  private isDuplicate(account: string, clientOrderId: string): boolean {
    for (const book of this.state.markets) {
      if (book.resting.some((order) => order.account === account && order.clientOrderId === clientOrderId)) return true;
    }
    return (this.state.recent.get(account) ?? []).includes(clientOrderId);
  }

  /** The owner's resting order named by a cancel or amend, or why there is none. */
  private findTarget(command: CancelCommand | AmendCommand): { book: ReferenceMarket; order: ReferenceOrder } | Rejection {
    const book = this.findMarket(command.market);
    if (book === undefined) return { name: 'MARKET_UNKNOWN' };
    if (!this.accountOk(command.account)) return { name: 'ACCOUNT_INVALID' };
    const ref: unknown = command.order;
    if (typeof ref !== 'object' || ref === null) return { name: 'COMMAND_MALFORMED' };
    const { orderId, clientOrderId } = ref as { orderId?: unknown; clientOrderId?: unknown };
    if ((orderId === undefined) === (clientOrderId === undefined)) return { name: 'COMMAND_MALFORMED' };
    if (orderId !== undefined && !isWhole(orderId, 1)) return { name: 'COMMAND_MALFORMED' };
    if (clientOrderId !== undefined && typeof clientOrderId !== 'string') return { name: 'COMMAND_MALFORMED' };
    const order = book.resting.find((candidate) => candidate.account === command.account
      && (orderId !== undefined ? candidate.orderId === orderId : candidate.clientOrderId === clientOrderId));
    return order === undefined ? { name: 'ORDER_NOT_FOUND' } : { book, order };
  }

  // ───────────────────────────── reference and prices ─────────────────────────────

  private findMarket(id: unknown): ReferenceMarket | undefined {
    return this.state.markets.find((book) => book.spec.id === id);
  }

  private usable(book: ReferenceMarket): boolean {
    const reference = book.reference;
    return reference !== undefined && reference.bidTicks <= reference.askTicks && this.timeMs - reference.timeMs <= book.spec.referenceStalenessMs;
  }

  /** Twice the mid, so that a half-tick mid is an integer. */
  private midHalfTicks(book: ReferenceMarket): number {
    return book.reference === undefined ? 0 : book.reference.bidTicks + book.reference.askTicks;
  }

  private pegPrice(book: ReferenceMarket, side: Side, offsetTicks: number, capTicks: number | undefined): number {
    const reference = book.reference!;
    if (side === 'buy') {
      const price = reference.bidTicks + offsetTicks;
      return capTicks !== undefined ? Math.min(price, capTicks) : price;
    }
    const price = reference.askTicks - offsetTicks;
    return capTicks !== undefined ? Math.max(price, capTicks) : price;
  }

  /** |price − mid| × 10 000 ≤ mid × bps, all doubled to stay in whole half ticks. */
  private withinBand(book: ReferenceMarket, priceTicks: number): boolean {
    const bps = book.spec.priceBandBps;
    if (bps === undefined || !this.usable(book)) return true;
    const mid = this.midHalfTicks(book);
    return Math.abs(2 * priceTicks - mid) * 10_000 <= mid * bps;
  }

  /** Whether a midpoint or peg order's cap lets it trade at this mid. */
  private capAdmits(order: ReferenceOrder, midHalfTicks: number): boolean {
    if (order.capTicks === undefined) return true;
    return order.side === 'buy' ? midHalfTicks <= 2 * order.capTicks : midHalfTicks >= 2 * order.capTicks;
  }

  // ───────────────────────────── the book ─────────────────────────────

  /** Distinct prices of the priced orders resting on one side. */
  private levelPrices(book: ReferenceMarket, side: Side): number[] {
    const prices = new Set<number>();
    for (const order of book.resting) if (order.side === side && order.orderType !== 'midpoint') prices.add(order.priceTicks);
    return [...prices];
  }

  private hasLevelRoom(book: ReferenceMarket, side: Side, priceTicks: number): boolean {
    const prices = this.levelPrices(book, side);
    return prices.includes(priceTicks) || prices.length < book.spec.limits.maxLevelsPerSide;
  }

  /** One side's priced orders (best price first) or its midpoint queue, FIFO within a price. */
  private queue(book: ReferenceMarket, side: Side, midpoint: boolean): ReferenceOrder[] {
    const better = side === 'buy' ? -1 : 1;
    return book.resting
      .filter((order) => order.side === side && (order.orderType === 'midpoint') === midpoint)
      .sort((a, b) => (a.priceTicks - b.priceTicks) * better || a.arrival - b.arrival);
  }

  /** A book's orders as snapshots list them: bids best first, asks best first, then the buy and sell midpoint queues. */
  private inPriority(book: ReferenceMarket): ReferenceOrder[] {
    return [...this.queue(book, 'buy', false), ...this.queue(book, 'sell', false), ...this.queue(book, 'buy', true), ...this.queue(book, 'sell', true)];
  }

  /** Puts an order at the back of its queue. */
  private rest(book: ReferenceMarket, order: ReferenceOrder): void {
    order.arrival = this.state.nextArrival++;
    book.resting.push(order);
  }

  private unrest(book: ReferenceMarket, order: ReferenceOrder): void {
    const at = book.resting.indexOf(order);
    if (at >= 0) book.resting.splice(at, 1);
  }

  /** The done event, and the client order id moves to the bounded memory of finished ids. */
  private finish(book: ReferenceMarket, order: ReferenceOrder, reason: DoneReason): void {
    this.unrest(book, order);
    this.emit({ type: 'done', market: order.market, orderId: order.orderId, account: order.account, clientOrderId: order.clientOrderId, reason, remainingLots: order.remainingLots });
    const recent = this.state.recent.get(order.account) ?? [];
    recent.push(order.clientOrderId);
    if (recent.length > this.limits.recentClientOrderIdsPerAccount) recent.shift();
    this.state.recent.set(order.account, recent);
  }

  private emitCancelled(order: ReferenceOrder, reason: CancelReason, cancelledLots: number, remainingLots: number): void {
    this.emit({ type: 'cancelled', market: order.market, orderId: order.orderId, account: order.account, clientOrderId: order.clientOrderId, reason, cancelledLots, remainingLots });
  }

  private emitAmended(order: ReferenceOrder, cause: 'user' | 'peg', priorityKept: boolean): void {
    this.emit({
      type: 'amended',
      market: order.market,
      orderId: order.orderId,
      account: order.account,
      clientOrderId: order.clientOrderId,
      cause,
      sizeLots: order.remainingLots,
      priceTicks: order.orderType === 'midpoint' ? undefined : order.priceTicks,
      priorityKept,
    });
  }

  /** Cancels all that is left of an order, resting or not, and ends it. */
  private cancelWhole(book: ReferenceMarket, order: ReferenceOrder, reason: CancelReason): void {
    this.emitCancelled(order, reason, order.remainingLots, 0);
    this.finish(book, order, 'cancelled');
  }

  /** Self-trade decrement of some lots; the order ends when none are left. */
  private cancelSome(book: ReferenceMarket, order: ReferenceOrder, lots: number): void {
    order.remainingLots -= lots;
    this.emitCancelled(order, 'selfTrade', lots, order.remainingLots);
    if (order.remainingLots === 0) this.finish(book, order, 'cancelled');
  }

  private fill(book: ReferenceMarket, maker: ReferenceOrder, taker: ReferenceOrder, priceHalfTicks: number, sizeLots: number, auction: boolean): void {
    const spec = book.spec;
    const notionalQuoteAtoms = (BigInt(priceHalfTicks) * BigInt(sizeLots) * spec.quoteAtomsPerTickLot) / 2n;
    const takerBps = auction ? spec.makerFeeBps : spec.takerFeeBps;
    maker.remainingLots -= sizeLots;
    taker.remainingLots -= sizeLots;
    this.fillsLeft--;
    this.emit({
      type: 'fill',
      market: spec.id,
      tradeId: this.state.nextTradeId++,
      auction,
      makerOrderId: maker.orderId,
      takerOrderId: taker.orderId,
      makerAccount: maker.account,
      takerAccount: taker.account,
      makerClientOrderId: maker.clientOrderId,
      takerClientOrderId: taker.clientOrderId,
      takerSide: taker.side,
      priceHalfTicks,
      sizeLots,
      notionalQuoteAtoms,
      makerFeeQuoteAtoms: ceilDiv(notionalQuoteAtoms * BigInt(spec.makerFeeBps), 10_000n),
      takerFeeQuoteAtoms: ceilDiv(notionalQuoteAtoms * BigInt(takerBps), 10_000n),
      makerRemainingLots: maker.remainingLots,
      takerRemainingLots: taker.remainingLots,
    });
  }

  // ───────────────────────────── continuous matching ─────────────────────────────

  private startBudgets(book: ReferenceMarket): void {
    this.fillsLeft = book.spec.limits.maxFillsPerCommand;
    this.visitsLeft = book.spec.limits.maxMakersVisitedPerCommand;
  }

  /**
   * The resting orders a taker meets, best first: the other side's priced orders, with the
   * midpoint queue (only while the reference is usable) just after any price equal to the mid.
   */
  private makersFor(book: ReferenceMarket, taker: ReferenceOrder): { order: ReferenceOrder; priceHalfTicks: number; atMid: boolean }[] {
    const side: Side = taker.side === 'buy' ? 'sell' : 'buy';
    const usable = this.usable(book);
    const mid = this.midHalfTicks(book);
    const makers = this.queue(book, side, false).map((order) => ({ order, priceHalfTicks: 2 * order.priceTicks, atMid: false }));
    if (usable) makers.push(...this.queue(book, side, true).map((order) => ({ order, priceHalfTicks: mid, atMid: true })));
    const better = side === 'buy' ? -1 : 1;
    return makers.sort((a, b) => (a.priceHalfTicks - b.priceHalfTicks) * better || Number(a.atMid) - Number(b.atMid) || a.order.arrival - b.order.arrival);
  }

  /** Matches a taker against the other side by the rules in types.ts, steps 1 to 6. */
  private walk(book: ReferenceMarket, taker: ReferenceOrder): WalkResult {
    const result: WalkResult = { outcome: 'exhausted', acted: false, lastLotsFilled: true };
    const usable = this.usable(book);
    const mid = this.midHalfTicks(book);
    let limitHalfTicks = 2 * taker.priceTicks;
    if (taker.orderType === 'midpoint') {
      if (!usable || !this.capAdmits(taker, mid)) return result;
      limitHalfTicks = mid;
    }
    const visited = new Set<number>();
    const maxVisits = book.resting.length;
    for (let step = 0; step <= maxVisits; step++) {
      const next = this.makersFor(book, taker).find((maker) => !visited.has(maker.order.orderId));
      if (next === undefined) return result;
      const acceptable = taker.side === 'buy' ? next.priceHalfTicks <= limitHalfTicks : next.priceHalfTicks >= limitHalfTicks;
      if (!acceptable) return result;
      if (this.fillsLeft === 0 || this.visitsLeft === 0) { result.outcome = 'fillLimit'; return result; }
      this.visitsLeft--;
      const maker = next.order;
      visited.add(maker.orderId);
      if (next.atMid && !this.capAdmits(maker, mid)) continue;
      const lots = Math.min(taker.remainingLots, maker.remainingLots);
      if (maker.account === taker.account) {
        result.acted = true;
        const mode = taker.selfTradePrevention;
        if (mode === 'cancelNewest') { result.outcome = 'selfTrade'; return result; }
        if (mode === 'cancelOldest' || mode === 'cancelBoth') {
          this.cancelWhole(book, maker, 'selfTrade');
          if (mode === 'cancelBoth') { result.outcome = 'selfTrade'; return result; }
          continue;
        }
        this.cancelSome(book, maker, lots);
        if (maker.remainingLots > 0 && maker.remainingLots < maker.minQtyLots) this.cancelWhole(book, maker, 'belowMinQty');
        taker.remainingLots -= lots;
        this.emitCancelled(taker, 'selfTrade', lots, taker.remainingLots);
        result.lastLotsFilled = false;
      } else {
        if (lots < taker.minQtyLots || lots < maker.minQtyLots) continue;
        result.acted = true;
        const priceHalfTicks = next.atMid || taker.orderType === 'midpoint' ? mid : next.priceHalfTicks;
        this.fill(book, maker, taker, priceHalfTicks, lots, false);
        result.lastLotsFilled = true;
        if (maker.remainingLots === 0) this.finish(book, maker, 'filled');
        else if (maker.remainingLots < maker.minQtyLots) this.cancelWhole(book, maker, 'belowMinQty');
      }
      if (taker.remainingLots === 0) { result.outcome = 'filled'; return result; }
      if (taker.remainingLots < taker.minQtyLots) { result.outcome = 'belowMinQty'; return result; }
    }
    throw new Error('reference walk visited more makers than rest in the book');
  }

  /** What happens to the taker after its walk; a swept resting midpoint order just stays. */
  private settle(book: ReferenceMarket, taker: ReferenceOrder, result: WalkResult, wasResting: boolean): void {
    if (taker.remainingLots === 0) { this.finish(book, taker, result.lastLotsFilled ? 'filled' : 'cancelled'); return; }
    if (result.outcome === 'selfTrade' || result.outcome === 'fillLimit' || result.outcome === 'belowMinQty') {
      this.cancelWhole(book, taker, result.outcome === 'selfTrade' ? 'selfTrade' : result.outcome);
      return;
    }
    if (wasResting) return;
    if (taker.timeInForce === 'IOC' || taker.timeInForce === 'FOK') { this.cancelWhole(book, taker, 'unfilled'); return; }
    if (taker.orderType !== 'midpoint' && !this.hasLevelRoom(book, taker.side, taker.priceTicks)) { this.cancelWhole(book, taker, 'levelLimit'); return; }
    this.rest(book, taker);
  }

  /** Runs the walk on a deep copy and reports what it would have done; this book is untouched. */
  private whatIf(book: ReferenceMarket, taker: ReferenceOrder): WalkResult {
    const copy = new ReferenceBook({ markets: [], limits: this.limits });
    copy.state = structuredClone(this.state);
    copy.seq = this.seq;
    copy.timeMs = this.timeMs;
    copy.fillsLeft = this.fillsLeft;
    copy.visitsLeft = this.visitsLeft;
    const copiedBook = copy.findMarket(book.spec.id)!;
    const copiedResting = copiedBook.resting.find((order) => order.orderId === taker.orderId);
    if (copiedResting !== undefined) copy.unrest(copiedBook, copiedResting);
    return copy.walk(copiedBook, { ...taker });
  }

  // ───────────────────────────── auctions ─────────────────────────────

  /** The uniform price maximising matched volume, with the documented tie-breaks; undefined when nothing crosses. */
  private clearingPrice(book: ReferenceMarket): number | undefined {
    const candidates = [...new Set(book.resting.map((order) => order.priceTicks))].sort((a, b) => a - b);
    const usable = this.usable(book);
    const mid = this.midHalfTicks(book);
    let best: { price: number; volume: number; imbalance: number; distance: number } | undefined;
    for (const price of candidates) {
      let demand = 0;
      let supply = 0;
      for (const order of book.resting) {
        if (order.side === 'buy' && order.priceTicks >= price) demand += order.remainingLots;
        if (order.side === 'sell' && order.priceTicks <= price) supply += order.remainingLots;
      }
      const candidate = { price, volume: Math.min(demand, supply), imbalance: Math.abs(demand - supply), distance: usable ? Math.abs(2 * price - mid) : 0 };
      const wins = best === undefined
        || candidate.volume > best.volume
        || (candidate.volume === best.volume && candidate.imbalance < best.imbalance)
        || (candidate.volume === best.volume && candidate.imbalance === best.imbalance && candidate.distance < best.distance);
      if (wins) best = candidate;
    }
    return best !== undefined && best.volume > 0 ? best.price : undefined;
  }

  /** Pairs the best bid with the best offer at the clearing price until one side runs out there. */
  private pairAtClearingPrice(book: ReferenceMarket, priceTicks: number): number {
    let volumeLots = 0;
    const maxPairs = book.resting.length * 2;
    for (let pair = 0; pair <= maxPairs; pair++) {
      const bid = this.queue(book, 'buy', false)[0];
      const ask = this.queue(book, 'sell', false)[0];
      if (bid === undefined || ask === undefined || bid.priceTicks < priceTicks || ask.priceTicks > priceTicks) return volumeLots;
      if (this.fillsLeft === 0 || this.visitsLeft === 0) return volumeLots;
      this.visitsLeft--;
      const [older, newer] = bid.orderId < ask.orderId ? [bid, ask] : [ask, bid];
      const lots = Math.min(bid.remainingLots, ask.remainingLots);
      if (bid.account === ask.account) {
        const mode = newer.selfTradePrevention;
        if (mode === 'cancelNewest') this.cancelWhole(book, newer, 'selfTrade');
        else if (mode === 'cancelOldest') this.cancelWhole(book, older, 'selfTrade');
        else if (mode === 'cancelBoth') {
          this.cancelWhole(book, older, 'selfTrade');
          this.cancelWhole(book, newer, 'selfTrade');
        } else {
          this.cancelSome(book, older, lots);
          this.cancelSome(book, newer, lots);
        }
        continue;
      }
      this.fill(book, older, newer, 2 * priceTicks, lots, true);
      volumeLots += lots;
      if (older.remainingLots === 0) this.finish(book, older, 'filled');
      if (newer.remainingLots === 0) this.finish(book, newer, 'filled');
    }
    throw new Error('reference auction paired more often than orders rest');
  }

  // ───────────────────────────── time ─────────────────────────────

  /** Every resting GTT order due by now, across markets, in (expireAtMs, orderId) order. */
  private expireDue(): void {
    const due: { book: ReferenceMarket; order: ReferenceOrder }[] = [];
    for (const book of this.state.markets) {
      for (const order of book.resting) {
        if (order.timeInForce === 'GTT' && order.expireAtMs !== undefined && order.expireAtMs <= this.timeMs) due.push({ book, order });
      }
    }
    due.sort((a, b) => a.order.expireAtMs! - b.order.expireAtMs! || a.order.orderId - b.order.orderId);
    for (const { book, order } of due) {
      this.emit({ type: 'expired', market: order.market, orderId: order.orderId, account: order.account, clientOrderId: order.clientOrderId, expiredLots: order.remainingLots });
      this.finish(book, order, 'expired');
    }
  }

  // ───────────────────────────── events ─────────────────────────────

  private viewOf(order: ReferenceOrder): OpenOrderView {
    return {
      market: order.market,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      side: order.side,
      orderType: order.orderType,
      priceTicks: order.orderType === 'midpoint' ? undefined : order.priceTicks,
      remainingLots: order.remainingLots,
      minQtyLots: order.minQtyLots,
      timeInForce: order.timeInForce,
      expireAtMs: order.timeInForce === 'GTT' ? order.expireAtMs : undefined,
      postOnly: order.postOnly,
      selfTradePrevention: order.selfTradePrevention,
      offsetTicks: order.orderType === 'primaryPeg' ? order.offsetTicks : undefined,
      capTicks: order.capTicks,
    };
  }

  /** Stamps an event with the current command's seq and time and delivers it. */
  private emit(event: DistributiveOmit<MatchEvent, 'seq' | 'timeMs'>): void {
    this.sink({ ...event, seq: this.seq, timeMs: this.timeMs } as MatchEvent);
  }

  private reject(command: unknown, why: Rejection, orderId?: number): void {
    const raw = (typeof command === 'object' && command !== null ? command : {}) as Record<string, unknown>;
    const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
    const type = text(raw['type']);
    const ref = raw['order'];
    const refFields = typeof ref === 'object' && ref !== null ? (ref as { orderId?: unknown; clientOrderId?: unknown }) : {};
    this.emit({
      type: 'rejected',
      command: type !== undefined && (COMMAND_TYPES as readonly string[]).includes(type) ? (type as CommandType) : 'unknown',
      code: MATCHING_ERRORS[why.name].code,
      name: why.name,
      detail: why.detail,
      market: text(raw['market']),
      account: text(raw['account']),
      clientOrderId: text(raw['clientOrderId']) ?? text(refFields.clientOrderId),
      orderId: orderId ?? (typeof refFields.orderId === 'number' ? refFields.orderId : undefined),
    });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
