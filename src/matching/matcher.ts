// The matcher: a deterministic state machine over all hosted markets. It checks each command's
// stamp, expires due GTT orders, validates the command and hands it to the market's book; events go
// to a caller-supplied sink in order. It reads no clock and no randomness: the same commands from
// the same state always give the same events and the same state hash.
import { CodedError } from '../errors/index.js';
import { MATCHING_ERRORS } from '../errors/matching.js';
import { AccountRegistry, NO_ACCOUNT } from './accounts.js';
import { clientIdHash } from './client-id-table.js';
import { runAuction } from './auction.js';
import { Book } from './book.js';
import { CommandContext } from './command-context.js';
import { ContinuousMatching, WALK_EXECUTE } from './continuous.js';
import { checkBookInvariants } from './invariants.js';
import { buildMatcherLimits } from './market-spec.js';
import {
  KIND_LIMIT,
  KIND_MIDPOINT,
  KIND_PRIMARY_PEG,
  kindCode,
  NO_SLOT,
  ORDER_TYPES,
  SELF_TRADE_MODES,
  selfTradeCode,
  SIDE_BUY,
  SIDE_SELL,
  SIDES,
  TIF_GTC,
  TIF_GTT,
  TIMES_IN_FORCE,
  timeInForceCode,
} from './order-store.js';
import { onReferenceMoved, primaryPegPriceTicks } from './pegs.js';
import { restoreMatcher, snapshotMatcher, stateHashOf, type MatcherSnapshot } from './snapshot.js';
import type {
  AmendCommand,
  CancelAllCommand,
  CancelCommand,
  Command,
  EventSink,
  MarketSpec,
  MatchEvent,
  MatcherLimits,
  MatcherOptions,
  MatchingEngine,
  OpenOrderView,
  OrderRef,
  PlaceCommand,
  ReferenceQuote,
  SetReferenceCommand,
  AuctionCommand,
} from './types.js';
import {
  accountRejection,
  isOrderIdRef,
  orderRefRejection,
  placeShapeRejection,
  priceRejection,
  sizeRejection,
  stampRejection,
  type Rejection,
} from './validate.js';

function rejection(name: Rejection['name'], detail?: string): Rejection {
  return { name, detail };
}

/** One hosted market: its book and the continuous matching that works on it. */
export interface MarketEntry {
  readonly book: Book;
  readonly matching: ContinuousMatching;
}

export class Matcher implements MatchingEngine {
  readonly limits: MatcherLimits;
  readonly accounts: AccountRegistry;
  readonly context = new CommandContext();
  /** Markets in configuration order; expiry ties and cancelAll without a market follow it. */
  readonly markets: readonly MarketEntry[];
  private readonly byId = new Map<string, MarketEntry>();
  /** The market a command last named, so a run of commands on one market skips the Map lookup. */
  private lastMarketId: unknown = undefined;
  private lastMarketEntry: MarketEntry | undefined = undefined;
  lastSeq = 0;
  lastTimeMs = 0;

  constructor(options: MatcherOptions) {
    this.limits = buildMatcherLimits(options.limits);
    this.accounts = new AccountRegistry(this.limits);
    const markets: MarketEntry[] = [];
    for (const spec of options.markets) {
      if (this.byId.has(spec.id)) throw new CodedError('MARKET_DUPLICATE', spec.id);
      const book = new Book(spec, this.accounts, this.context);
      const entry = { book, matching: new ContinuousMatching(book) };
      this.byId.set(spec.id, entry);
      markets.push(entry);
    }
    this.markets = markets;
  }

  /** Rebuilds a matcher from `snapshot()` output; throws CodedError('SNAPSHOT_INVALID') when it is not one. */
  static restore(snapshot: MatcherSnapshot): Matcher {
    return restoreMatcher(snapshot, (options) => new Matcher(options));
  }

  /** Applies one command; its events go to the sink in order. */
  apply(command: Command, sink: EventSink): void {
    const context = this.context;
    context.sink = sink;
    const malformed = stampRejection(command);
    if (malformed !== undefined) {
      const raw = (typeof command === 'object' && command !== null ? command : {}) as { seq?: unknown; timeMs?: unknown };
      context.seq = typeof raw.seq === 'number' && Number.isSafeInteger(raw.seq) ? raw.seq : 0;
      context.timeMs = typeof raw.timeMs === 'number' && Number.isSafeInteger(raw.timeMs) ? raw.timeMs : 0;
      this.rejectStamp(command, malformed);
      return;
    }
    context.seq = command.seq;
    context.timeMs = command.timeMs;
    if (command.seq <= this.lastSeq) { this.rejectStamp(command, rejection('SEQUENCE_NOT_INCREASING', `last ${this.lastSeq}`)); return; }
    if (command.timeMs < this.lastTimeMs) { this.rejectStamp(command, rejection('TIME_WENT_BACKWARDS', `last ${this.lastTimeMs}`)); return; }
    this.lastSeq = command.seq;
    this.lastTimeMs = command.timeMs;
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

  /** Applies one command and returns its events (allocates; the sink form is for hot paths). */
  execute(command: Command): MatchEvent[] {
    const events: MatchEvent[] = [];
    this.apply(command, (event) => { events.push(event); });
    return events;
  }

  /** The account's open orders, oldest first; only for the owner. */
  openOrders(account: string, market?: string): OpenOrderView[] {
    const index = this.accounts.find(account);
    if (index === NO_ACCOUNT) return [];
    const found = this.restingOf(index, market);
    return found.map(({ book, slot }) => this.viewOf(book, slot));
  }

  reference(market: string): ReferenceQuote | undefined {
    return this.byId.get(market)?.book.reference;
  }

  /** Resting orders in one market or in all. */
  restingOrderCount(market?: string): number {
    let count = 0;
    for (const entry of this.markets) if (market === undefined || entry.book.id === market) count += entry.book.restingCount;
    return count;
  }

  spec(market: string): MarketSpec | undefined {
    return this.byId.get(market)?.book.spec;
  }

  snapshot(): MatcherSnapshot {
    return snapshotMatcher(this);
  }

  /** sha256 (hex) over the canonical serialisation of snapshot(): equal exactly when the states are. */
  stateHash(): string {
    return stateHashOf(this.snapshot());
  }

  checkInvariants(): void {
    let resting = 0;
    for (const entry of this.markets) {
      checkBookInvariants(entry.book, entry.matching);
      resting += entry.book.restingCount;
    }
    let listed = 0;
    for (let account = 0; account < this.accounts.size; account++) listed += this.restingOf(account, undefined).length;
    if (listed !== resting) throw new Error(`invariant: account lists hold ${listed} orders but ${resting} rest`);
    const remembered = this.accounts.clientIds.size;
    let finished = 0;
    for (let account = 0; account < this.accounts.size; account++) finished += this.accounts.recentlyFinished(account).length;
    if (remembered !== resting + finished) throw new Error(`invariant: ${remembered} client ids remembered but ${resting} open and ${finished} finished`);
    if (this.context.fillsLeft < 0 || this.context.visitsLeft < 0) throw new Error('invariant: a budget went negative');
  }

  /** The view of a resting order, as its owner and snapshots see it. */
  viewOf(book: Book, slot: number): OpenOrderView {
    const orders = book.orders;
    const kind = orders.kind[slot]!;
    const terms = book.pegTerms.get(slot);
    const timeInForce = orders.timeInForce[slot]!;
    return {
      market: book.id,
      orderId: orders.orderId[slot]!,
      clientOrderId: orders.clientOrderId[slot]!,
      side: SIDES[orders.side[slot]!]!,
      orderType: ORDER_TYPES[kind]!,
      priceTicks: kind === KIND_MIDPOINT ? undefined : orders.priceTicks[slot]!,
      remainingLots: orders.remainingLots[slot]!,
      minQtyLots: orders.minQtyLots[slot]!,
      timeInForce: TIMES_IN_FORCE[timeInForce]!,
      expireAtMs: timeInForce === TIF_GTT ? book.expireAtMs.get(slot) : undefined,
      postOnly: orders.postOnly[slot] === 1,
      selfTradePrevention: SELF_TRADE_MODES[orders.selfTrade[slot]!]!,
      offsetTicks: kind === KIND_PRIMARY_PEG ? terms?.offsetTicks : undefined,
      capTicks: terms?.capTicks,
    };
  }

  /** Puts a snapshot order back into its book (restore only); the caller registers client ids. */
  restoreOrder(market: string, account: number, view: OpenOrderView): number {
    const entry = this.byId.get(market);
    if (entry === undefined) throw new CodedError('SNAPSHOT_INVALID', `unknown market ${market}`);
    const book = entry.book;
    const orders = book.orders;
    const slot = orders.allocate();
    const kind = kindCode(view.orderType);
    const timeInForce = timeInForceCode(view.timeInForce);
    const selfTrade = selfTradeCode(view.selfTradePrevention);
    if (kind === undefined || timeInForce === undefined || selfTrade === undefined || (view.side !== 'buy' && view.side !== 'sell')) {
      throw new CodedError('SNAPSHOT_INVALID', `order ${view.orderId} has an unknown kind, side, time in force or mode`);
    }
    orders.orderId[slot] = view.orderId;
    orders.account[slot] = account;
    orders.clientOrderId[slot] = view.clientOrderId;
    orders.clientIdHash[slot] = clientIdHash(account, view.clientOrderId);
    orders.side[slot] = view.side === 'buy' ? SIDE_BUY : SIDE_SELL;
    orders.kind[slot] = kind;
    orders.timeInForce[slot] = timeInForce;
    orders.selfTrade[slot] = selfTrade;
    orders.postOnly[slot] = view.postOnly ? 1 : 0;
    orders.remainingLots[slot] = view.remainingLots;
    orders.minQtyLots[slot] = view.minQtyLots;
    orders.priceTicks[slot] = view.priceTicks ?? 0;
    if (timeInForce === TIF_GTT) book.expireAtMs.set(slot, view.expireAtMs ?? 0);
    if (kind === KIND_MIDPOINT || kind === KIND_PRIMARY_PEG) book.pegTerms.set(slot, { offsetTicks: view.offsetTicks ?? 0, capTicks: view.capTicks });
    if (book.index.has(view.orderId) || !book.rest(slot)) throw new CodedError('SNAPSHOT_INVALID', `order ${view.orderId} cannot rest`);
    this.accounts.open(account, view.clientOrderId, orders.clientIdHash[slot]!, slot);
    return slot;
  }

  entry(market: string): MarketEntry | undefined {
    return this.byId.get(market);
  }

  /** The entry a command's market field names, or undefined; markets are fixed at construction, so a hit never goes stale. */
  private marketOf(market: unknown): MarketEntry | undefined {
    if (market === this.lastMarketId) return this.lastMarketEntry;
    const entry = typeof market === 'string' ? this.byId.get(market) : undefined;
    if (entry !== undefined) {
      this.lastMarketId = market;
      this.lastMarketEntry = entry;
    }
    return entry;
  }

  // ───────────────────────────── commands ─────────────────────────────

  private place(command: PlaceCommand): void {
    const entry = this.marketOf(command.market);
    if (entry === undefined) { this.reject(command, rejection('MARKET_UNKNOWN')); return; }
    const { book, matching } = entry;
    const spec = book.spec;
    const shape = placeShapeRejection(command, spec, this.limits);
    if (shape !== undefined) { this.reject(command, shape); return; }
    const accounts = this.accounts;
    const account = accounts.find(command.account);
    const hash = account === NO_ACCOUNT ? 0 : clientIdHash(account, command.clientOrderId);
    if (account !== NO_ACCOUNT && accounts.isDuplicate(account, command.clientOrderId, hash)) { this.reject(command, rejection('CLIENT_ORDER_ID_DUPLICATE')); return; }
    const kind = kindCode(command.orderType)!;
    const side = command.side === 'buy' ? SIDE_BUY : SIDE_SELL;
    let priceTicks = 0;
    let offsetTicks = 0;
    let capTicks: number | undefined;
    switch (command.orderType) {
      case 'limit': priceTicks = command.priceTicks; break;
      case 'market': priceTicks = command.protectionPriceTicks; break;
      case 'midpoint': capTicks = command.capTicks; break;
      case 'primaryPeg': {
        if (!book.referenceUsable()) { this.reject(command, rejection('REFERENCE_UNAVAILABLE')); return; }
        offsetTicks = command.offsetTicks;
        capTicks = command.capTicks;
        priceTicks = primaryPegPriceTicks(book, side, { offsetTicks, capTicks });
        const outside = priceRejection(priceTicks, spec, 'peg price');
        if (outside !== undefined) { this.reject(command, outside); return; }
        break;
      }
    }
    if (kind !== KIND_MIDPOINT && !this.withinBand(book, priceTicks)) { this.reject(command, rejection('PRICE_OUTSIDE_BAND')); return; }
    if (account === NO_ACCOUNT && accounts.size >= this.limits.maxAccounts) { this.reject(command, rejection('ACCOUNTS_FULL')); return; }
    const timeInForce = timeInForceCode(command.timeInForce)!;
    const mayRest = spec.mode === 'auction' || timeInForce === TIF_GTC || timeInForce === TIF_GTT;
    if (mayRest) {
      const limits = spec.limits;
      let full: Rejection | undefined;
      if (book.restingCount >= limits.maxOrdersPerBook) full = rejection('BOOK_FULL');
      else if (account !== NO_ACCOUNT && book.accountOrderCount(account) >= limits.maxOrdersPerAccount) full = rejection('ACCOUNT_ORDER_LIMIT');
      else if ((kind === KIND_MIDPOINT || kind === KIND_PRIMARY_PEG) && book.peggedCount >= limits.maxPeggedOrders) full = rejection('PEGGED_ORDERS_FULL');
      else if (timeInForce === TIF_GTT && book.expiry.size >= limits.maxGttOrders) full = rejection('GTT_ORDERS_FULL');
      else if (kind !== KIND_MIDPOINT && !book.hasLevelRoom(side, priceTicks)) full = rejection('LEVELS_FULL');
      if (full !== undefined) { this.reject(command, full); return; }
    }
    const orders = book.orders;
    const slot = orders.allocate();
    orders.orderId[slot] = command.seq;
    orders.account[slot] = account;
    orders.clientOrderId[slot] = command.clientOrderId;
    orders.side[slot] = side;
    orders.kind[slot] = kind;
    orders.timeInForce[slot] = timeInForce;
    orders.selfTrade[slot] = selfTradeCode(command.selfTradePrevention)!;
    orders.postOnly[slot] = command.postOnly ? 1 : 0;
    orders.remainingLots[slot] = command.sizeLots;
    orders.minQtyLots[slot] = command.minQtyLots;
    orders.priceTicks[slot] = priceTicks;
    if (timeInForce === TIF_GTT) book.expireAtMs.set(slot, command.expireAtMs!);
    if (kind === KIND_MIDPOINT || kind === KIND_PRIMARY_PEG) book.pegTerms.set(slot, { offsetTicks, capTicks });
    this.startBudgets(book);
    if (command.postOnly && matching.wouldAct(slot)) {
      book.releaseSlot(slot);
      this.reject(command, rejection('POST_ONLY_WOULD_TRADE'));
      return;
    }
    const owner = account === NO_ACCOUNT ? accounts.findOrAdd(command.account) : account;
    orders.account[slot] = owner;
    const ownerHash = account === NO_ACCOUNT ? clientIdHash(owner, command.clientOrderId) : hash;
    orders.clientIdHash[slot] = ownerHash;
    accounts.open(owner, command.clientOrderId, ownerHash, slot);
    book.emitAccepted(slot);
    if (spec.mode === 'auction') book.rest(slot);
    else matching.take(slot);
  }

  private cancel(command: CancelCommand): void {
    const found = this.findTarget(command);
    if (!('slot' in found)) { this.reject(command, found); return; }
    found.book.cancel(found.slot, 'user');
  }

  private amend(command: AmendCommand): void {
    const found = this.findTarget(command);
    if (!('slot' in found)) { this.reject(command, found); return; }
    const { book, slot } = found;
    const spec = book.spec;
    const orders = book.orders;
    const { newSizeLots, newPriceTicks } = command;
    const bad = (newSizeLots === undefined ? undefined : sizeRejection(newSizeLots, spec, 'newSizeLots'))
      ?? (newPriceTicks === undefined ? undefined : priceRejection(newPriceTicks, spec, 'newPriceTicks'));
    if (bad !== undefined) { this.reject(command, bad, orders.orderId[slot]); return; }
    const kind = orders.kind[slot]!;
    if (newPriceTicks !== undefined && kind !== KIND_LIMIT) { this.reject(command, rejection('AMEND_PRICE_NOT_APPLICABLE'), orders.orderId[slot]); return; }
    const remaining = orders.remainingLots[slot]!;
    const price = orders.priceTicks[slot]!;
    const size = newSizeLots ?? remaining;
    const nextPrice = newPriceTicks ?? price;
    if (size === remaining && nextPrice === price) { this.reject(command, rejection('AMEND_INVALID'), orders.orderId[slot]); return; }
    if (size < orders.minQtyLots[slot]!) { this.reject(command, rejection('AMEND_BELOW_MIN_QTY'), orders.orderId[slot]); return; }
    const priceChanges = nextPrice !== price;
    if (priceChanges && !this.withinBand(book, nextPrice)) { this.reject(command, rejection('PRICE_OUTSIDE_BAND'), orders.orderId[slot]); return; }
    if (priceChanges && !book.hasLevelRoom(orders.side[slot]!, nextPrice)) { this.reject(command, rejection('LEVELS_FULL'), orders.orderId[slot]); return; }
    if (!priceChanges && size < remaining) {
      book.reduce(slot, remaining - size);
      book.emitAmended(slot, 'user', true);
      return;
    }
    const entry = this.byId.get(book.id)!;
    this.startBudgets(book);
    if (orders.postOnly[slot] === 1) {
      orders.remainingLots[slot] = size;
      orders.priceTicks[slot] = nextPrice;
      const acts = entry.matching.wouldAct(slot);
      orders.remainingLots[slot] = remaining;
      orders.priceTicks[slot] = price;
      if (acts) { this.reject(command, rejection('POST_ONLY_WOULD_TRADE'), orders.orderId[slot]); return; }
    }
    book.removeResting(slot);
    orders.remainingLots[slot] = size;
    orders.priceTicks[slot] = nextPrice;
    book.emitAmended(slot, 'user', false);
    if (spec.mode === 'auction') book.rest(slot);
    else entry.matching.settle(slot, entry.matching.walk(slot, WALK_EXECUTE), false);
  }

  private cancelAll(command: CancelAllCommand): void {
    const bad = accountRejection(command.account, this.limits);
    if (bad !== undefined) { this.reject(command, bad); return; }
    if (command.market !== undefined && !this.byId.has(command.market)) { this.reject(command, rejection('MARKET_UNKNOWN')); return; }
    const account = this.accounts.find(command.account);
    if (account === NO_ACCOUNT) return;
    for (const target of this.restingOf(account, command.market)) target.book.cancel(target.slot, 'cancelAll');
  }

  private setReference(command: SetReferenceCommand): void {
    const entry = this.marketOf(command.market);
    if (entry === undefined) { this.reject(command, rejection('MARKET_UNKNOWN')); return; }
    const book = entry.book;
    const bad = priceRejection(command.bidTicks, book.spec, 'bidTicks') ?? priceRejection(command.askTicks, book.spec, 'askTicks');
    if (bad !== undefined) { this.reject(command, rejection('REFERENCE_INVALID', bad.detail)); return; }
    book.reference = { bidTicks: command.bidTicks, askTicks: command.askTicks, timeMs: command.timeMs };
    if (book.spec.mode === 'continuous') {
      this.startBudgets(book);
      onReferenceMoved(book, entry.matching);
    }
  }

  private auction(command: AuctionCommand): void {
    const entry = this.marketOf(command.market);
    if (entry === undefined) { this.reject(command, rejection('MARKET_UNKNOWN')); return; }
    const book = entry.book;
    if (book.spec.mode !== 'auction') { this.reject(command, rejection('AUCTION_NOT_AUCTION_MARKET')); return; }
    if (book.lastAuctionMs !== undefined && command.timeMs < book.lastAuctionMs + book.spec.auctionIntervalMs) {
      this.reject(command, rejection('AUCTION_TOO_EARLY', `next at ${book.lastAuctionMs + book.spec.auctionIntervalMs}`));
      return;
    }
    this.startBudgets(book);
    runAuction(book);
  }

  // ───────────────────────────── helpers ─────────────────────────────

  private startBudgets(book: Book): void {
    this.context.fillsLeft = book.spec.limits.maxFillsPerCommand;
    this.context.visitsLeft = book.spec.limits.maxMakersVisitedPerCommand;
  }

  /** Price band: |price − mid| × 10 000 ≤ mid × bps, in half ticks, while the reference is usable. */
  private withinBand(book: Book, priceTicks: number): boolean {
    const bps = book.spec.priceBandBps;
    if (bps === undefined || !book.referenceUsable()) return true;
    const mid = book.midHalfTicks();
    return Math.abs(2 * priceTicks - mid) * 10_000 <= mid * bps;
  }

  /** The account's resting orders in one market or all, oldest order id first. */
  private restingOf(account: number, market: string | undefined): { book: Book; slot: number; orderId: number }[] {
    const found: { book: Book; slot: number; orderId: number }[] = [];
    for (const entry of this.markets) {
      if (market !== undefined && entry.book.id !== market) continue;
      for (const orderId of entry.book.accountOrderIds(account)) found.push({ book: entry.book, slot: entry.book.index.get(orderId)!, orderId });
    }
    return found.sort((a, b) => a.orderId - b.orderId);
  }

  /** Expires every due GTT order across markets in (expireAtMs, orderId) order. */
  private expireDue(): void {
    const now = this.context.timeMs;
    const markets = this.markets;
    for (;;) {
      let chosen: Book | undefined;
      let chosenExpire = Infinity;
      let chosenOrderId = Infinity;
      for (const entry of markets) {
        const expiry = entry.book.expiry;
        const expireAtMs = expiry.peekExpireAtMs();
        if (expireAtMs > now) continue;
        const orderId = entry.book.orders.orderId[expiry.peekSlot()]!;
        if (expireAtMs < chosenExpire || (expireAtMs === chosenExpire && orderId < chosenOrderId)) {
          chosen = entry.book;
          chosenExpire = expireAtMs;
          chosenOrderId = orderId;
        }
      }
      if (chosen === undefined) return;
      chosen.expire(chosen.expiry.peekSlot());
    }
  }

  /** Resolves a cancel/amend target to the owner's resting order, or the reason it cannot be. */
  private findTarget(command: CancelCommand | AmendCommand): { book: Book; slot: number } | Rejection {
    const entry = this.marketOf(command.market);
    if (entry === undefined) return rejection('MARKET_UNKNOWN');
    const bad = accountRejection(command.account, this.limits) ?? orderRefRejection(command.order);
    if (bad !== undefined) return bad;
    const account = this.accounts.find(command.account);
    const book = entry.book;
    const ref: OrderRef = command.order;
    if (account === NO_ACCOUNT) return rejection('ORDER_NOT_FOUND');
    const orders = book.orders;
    let slot: number | undefined;
    if (isOrderIdRef(ref)) slot = book.index.get(ref.orderId);
    else {
      // The client id table names the slot where the order rests, possibly in another market's book.
      slot = this.accounts.slotHint(account, ref.clientOrderId);
      if (slot !== undefined && (slot >= orders.capacity || orders.clientOrderId[slot] !== ref.clientOrderId)) slot = undefined;
    }
    if (slot === undefined || orders.account[slot] !== account || orders.level[slot] === NO_SLOT) return rejection('ORDER_NOT_FOUND');
    return { book, slot };
  }

  /**
   * Rejects a command whose stamp was not accepted. The event carries the command's own stamp, but
   * the matcher's clock stays at the last accepted command: between commands, reference staleness
   * and expiry checks must see the time the state was last advanced to.
   */
  private rejectStamp(command: unknown, why: Rejection): void {
    this.reject(command, why);
    this.context.seq = this.lastSeq;
    this.context.timeMs = this.lastTimeMs;
  }

  private reject(command: unknown, why: Rejection, orderId?: number): void {
    const raw = (typeof command === 'object' && command !== null ? command : {}) as Record<string, unknown>;
    const type = textOf(raw['type']);
    const order = raw['order'];
    const ref = (typeof order === 'object' && order !== null ? order : {}) as { orderId?: unknown; clientOrderId?: unknown };
    const context = this.context;
    context.sink({
      type: 'rejected',
      seq: context.seq,
      timeMs: context.timeMs,
      command: type !== undefined && Object.hasOwn(COMMAND_KINDS, type) ? (type as Command['type']) : 'unknown',
      code: MATCHING_ERRORS[why.name].code,
      name: why.name,
      detail: why.detail,
      market: textOf(raw['market']),
      account: textOf(raw['account']),
      clientOrderId: textOf(raw['clientOrderId']) ?? textOf(ref.clientOrderId),
      orderId: orderId ?? (typeof ref.orderId === 'number' ? ref.orderId : undefined),
    });
  }
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const COMMAND_KINDS: Readonly<Record<Command['type'], true>> = {
  place: true, cancel: true, amend: true, cancelAll: true, setReference: true, auction: true, advanceTime: true,
};
