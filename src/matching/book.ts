// One market's book: where orders rest and how they enter, shrink and leave it, together with the
// events those moves emit. Matching policy (continuous walk, auctions, pegs) lives in its own
// modules and changes the book only through these operations, so that level totals, counts, the
// id index and the expiry heap are kept in step in exactly one place.
import type { AccountRegistry } from './accounts.js';
import type { CommandContext } from './command-context.js';
import { ExpiryHeap } from './expiry-heap.js';
import { fillAmounts, type FillAmounts } from './fees.js';
import { LevelStore, SideLevels } from './level-store.js';
import { OrderIndex } from './order-index.js';
import {
  KIND_MIDPOINT,
  KIND_PRIMARY_PEG,
  NO_SLOT,
  ORDER_TYPES,
  OrderStore,
  SIDE_BUY,
  SIDES,
  TIF_GTT,
  TIF_IOC,
} from './order-store.js';
import type { AmendCause, CancelReason, DoneReason, MarketSpec, ReferenceQuote } from './types.js';

/** Terms of midpoint and primary peg orders, kept apart because few orders have them. */
export interface PegTerms {
  /** Primary peg offset in ticks toward the other side; 0 for midpoint orders. */
  readonly offsetTicks: number;
  readonly capTicks: number | undefined;
}

export class Book {
  readonly id: string;
  readonly orders = new OrderStore();
  readonly levels = new LevelStore();
  readonly bids = new SideLevels(1);
  readonly asks = new SideLevels(-1);
  /** Level slots of the buy and sell midpoint queues; they never enter the sorted sides. */
  readonly midpointQueue: readonly [number, number];
  /** orderId → slot of resting orders. */
  readonly index = new OrderIndex();
  readonly expiry: ExpiryHeap;
  /** slot → terms of midpoint and primary peg orders (resting or being matched). */
  readonly pegTerms = new Map<number, PegTerms>();
  /** slot → expiry of GTT orders (resting or being matched); few orders have one. */
  readonly expireAtMs = new Map<number, number>();
  /** Order ids of resting IOC orders; only auction markets have them, until the next auction. */
  readonly restingImmediate = new Set<number>();
  restingCount = 0;
  peggedCount = 0;
  /** Resting orders per account index in this book. */
  accountOrders = new Int32Array(64);
  /** Per account index: the first of its resting orders in this book (a list through accountNext). */
  accountHead = new Int32Array(64).fill(NO_SLOT);
  reference: ReferenceQuote | undefined = undefined;
  lastAuctionMs: number | undefined = undefined;
  readonly quoteAtomsPerHalfTickLot: bigint;
  readonly quoteAtomsPerHalfTickLotNumber: number;
  private readonly amounts: FillAmounts = { notionalQuoteAtoms: 0n, makerFeeQuoteAtoms: 0n, takerFeeQuoteAtoms: 0n };

  constructor(
    readonly spec: MarketSpec,
    readonly accounts: AccountRegistry,
    readonly context: CommandContext,
  ) {
    this.id = spec.id;
    this.expiry = new ExpiryHeap(this.orders);
    this.midpointQueue = [this.levels.allocate(0), this.levels.allocate(0)];
    this.quoteAtomsPerHalfTickLot = spec.quoteAtomsPerTickLot / 2n;
    const half = Number(this.quoteAtomsPerHalfTickLot);
    this.quoteAtomsPerHalfTickLotNumber = Number.isSafeInteger(half) ? half : 0;
  }

  sideLevels(side: number): SideLevels {
    return side === SIDE_BUY ? this.bids : this.asks;
  }

  /** Set, not crossed and not older than referenceStalenessMs at the current command time. */
  referenceUsable(): boolean {
    const reference = this.reference;
    return reference !== undefined
      && reference.bidTicks <= reference.askTicks
      && this.context.timeMs - reference.timeMs <= this.spec.referenceStalenessMs;
  }

  /** The reference mid in half ticks; meaningful only while referenceUsable(). */
  midHalfTicks(): number {
    const reference = this.reference;
    return reference === undefined ? 0 : reference.bidTicks + reference.askTicks;
  }

  accountOrderCount(account: number): number {
    return account < this.accountOrders.length ? this.accountOrders[account]! : 0;
  }

  isResting(slot: number): boolean {
    return this.orders.level[slot] !== NO_SLOT;
  }

  /** True when a priced order at this price could rest without a new level on a full side. */
  hasLevelRoom(side: number, priceTicks: number): boolean {
    const levels = this.sideLevels(side);
    return levels.count < this.spec.limits.maxLevelsPerSide || levels.search(priceTicks) >= 0;
  }

  /** Links an order at the tail of its level (or midpoint queue). False, changing nothing, when a new level is needed on a full side. */
  rest(slot: number): boolean {
    const orders = this.orders;
    const side = orders.side[slot]!;
    const kind = orders.kind[slot]!;
    let level: number;
    if (kind === KIND_MIDPOINT) level = this.midpointQueue[side]!;
    else {
      const price = orders.priceTicks[slot]!;
      const levels = this.sideLevels(side);
      const found = levels.search(price);
      if (found >= 0) level = levels.slots[found]!;
      else {
        if (levels.count >= this.spec.limits.maxLevelsPerSide) return false;
        level = this.levels.allocate(price);
        levels.insertAt(-found - 1, price, level);
      }
    }
    const store = this.levels;
    const tail = store.tail[level]!;
    orders.prev[slot] = tail;
    orders.next[slot] = NO_SLOT;
    if (tail === NO_SLOT) store.head[level] = slot;
    else orders.next[tail] = slot;
    store.tail[level] = slot;
    store.totalLots[level] = store.totalLots[level]! + orders.remainingLots[slot]!;
    store.orderCount[level] = store.orderCount[level]! + 1;
    orders.level[slot] = level;
    this.restingCount++;
    const account = orders.account[slot]!;
    if (account >= this.accountOrders.length) this.growAccountOrders(account);
    this.accountOrders[account] = this.accountOrders[account]! + 1;
    const first = this.accountHead[account]!;
    orders.accountPrev[slot] = NO_SLOT;
    orders.accountNext[slot] = first;
    if (first !== NO_SLOT) orders.accountPrev[first] = slot;
    this.accountHead[account] = slot;
    if (kind === KIND_MIDPOINT || kind === KIND_PRIMARY_PEG) this.peggedCount++;
    const timeInForce = orders.timeInForce[slot]!;
    if (timeInForce === TIF_GTT) this.expiry.push(slot, this.expireAtMs.get(slot)!);
    else if (timeInForce === TIF_IOC) this.restingImmediate.add(orders.orderId[slot]!);
    this.index.set(orders.orderId[slot]!, slot);
    return true;
  }

  /** Takes a resting order out of the book; its slot stays allocated. */
  removeResting(slot: number): void {
    const orders = this.orders;
    const level = orders.level[slot]!;
    const store = this.levels;
    const prev = orders.prev[slot]!;
    const next = orders.next[slot]!;
    if (prev === NO_SLOT) store.head[level] = next;
    else orders.next[prev] = next;
    if (next === NO_SLOT) store.tail[level] = prev;
    else orders.prev[next] = prev;
    store.totalLots[level] = store.totalLots[level]! - orders.remainingLots[slot]!;
    const remaining = store.orderCount[level]! - 1;
    store.orderCount[level] = remaining;
    orders.level[slot] = NO_SLOT;
    orders.prev[slot] = NO_SLOT;
    orders.next[slot] = NO_SLOT;
    const kind = orders.kind[slot]!;
    if (remaining === 0 && kind !== KIND_MIDPOINT) {
      const levels = this.sideLevels(orders.side[slot]!);
      const last = levels.count - 1;
      const position = levels.slots[last] === level ? last : levels.search(store.priceTicks[level]!);
      levels.removeAt(position);
      store.release(level);
    }
    this.restingCount--;
    const account = orders.account[slot]!;
    this.accountOrders[account] = this.accountOrders[account]! - 1;
    const before = orders.accountPrev[slot]!;
    const after = orders.accountNext[slot]!;
    if (before === NO_SLOT) this.accountHead[account] = after;
    else orders.accountNext[before] = after;
    if (after !== NO_SLOT) orders.accountPrev[after] = before;
    if (kind === KIND_MIDPOINT || kind === KIND_PRIMARY_PEG) this.peggedCount--;
    const timeInForce = orders.timeInForce[slot]!;
    if (timeInForce === TIF_GTT) this.expiry.remove(slot);
    else if (timeInForce === TIF_IOC) this.restingImmediate.delete(orders.orderId[slot]!);
    this.index.delete(orders.orderId[slot]!);
  }

  /** Shrinks an order's remaining size, keeping its level total in step when it rests. */
  reduce(slot: number, lots: number): void {
    const orders = this.orders;
    orders.remainingLots[slot] = orders.remainingLots[slot]! - lots;
    const level = orders.level[slot]!;
    if (level !== NO_SLOT) this.levels.totalLots[level] = this.levels.totalLots[level]! - lots;
  }

  /** Ends an order that is no longer resting: done event, client id to recent memory, slot freed. */
  finish(slot: number, reason: DoneReason): void {
    const orders = this.orders;
    const context = this.context;
    const account = orders.account[slot]!;
    const clientOrderId = orders.clientOrderId[slot]!;
    context.sink({
      type: 'done',
      seq: context.seq,
      timeMs: context.timeMs,
      market: this.id,
      orderId: orders.orderId[slot]!,
      account: this.accounts.names[account]!,
      clientOrderId,
      reason,
      remainingLots: orders.remainingLots[slot]!,
    });
    this.accounts.finish(account, clientOrderId, orders.clientIdHash[slot]!);
    this.releaseSlot(slot);
  }

  /** Frees the slot of an order that is not resting, with its side tables. */
  releaseSlot(slot: number): void {
    const orders = this.orders;
    const kind = orders.kind[slot];
    if (kind === KIND_MIDPOINT || kind === KIND_PRIMARY_PEG) this.pegTerms.delete(slot);
    if (orders.timeInForce[slot] === TIF_GTT) this.expireAtMs.delete(slot);
    orders.release(slot);
  }

  /** Cancels an order's whole remainder (resting or not) and ends it. */
  cancel(slot: number, reason: CancelReason): void {
    const lots = this.orders.remainingLots[slot]!;
    this.emitCancelled(slot, reason, lots, 0);
    if (this.isResting(slot)) this.removeResting(slot);
    this.finish(slot, 'cancelled');
  }

  /** Cancels part of an order (self-trade decrement); ends it when nothing is left. */
  cancelPart(slot: number, reason: CancelReason, lots: number): void {
    const left = this.orders.remainingLots[slot]! - lots;
    this.emitCancelled(slot, reason, lots, left);
    if (left === 0) {
      if (this.isResting(slot)) this.removeResting(slot);
      this.reduce(slot, lots);
      this.finish(slot, 'cancelled');
    } else this.reduce(slot, lots);
  }

  /** A resting GTT order reached its time. */
  expire(slot: number): void {
    const orders = this.orders;
    const context = this.context;
    context.sink({
      type: 'expired',
      seq: context.seq,
      timeMs: context.timeMs,
      market: this.id,
      orderId: orders.orderId[slot]!,
      account: this.accounts.names[orders.account[slot]!]!,
      clientOrderId: orders.clientOrderId[slot]!,
      expiredLots: orders.remainingLots[slot]!,
    });
    this.removeResting(slot);
    this.finish(slot, 'expired');
  }

  /** Records one execution and applies it to both orders; the caller decides what happens to them next. */
  fill(makerSlot: number, takerSlot: number, priceHalfTicks: number, sizeLots: number, auction: boolean): void {
    const orders = this.orders;
    const context = this.context;
    const spec = this.spec;
    const amounts = this.amounts;
    fillAmounts(
      amounts,
      priceHalfTicks,
      sizeLots,
      this.quoteAtomsPerHalfTickLotNumber,
      this.quoteAtomsPerHalfTickLot,
      spec.makerFeeBps,
      auction ? spec.makerFeeBps : spec.takerFeeBps,
    );
    this.reduce(makerSlot, sizeLots);
    this.reduce(takerSlot, sizeLots);
    const names = this.accounts.names;
    context.sink({
      type: 'fill',
      seq: context.seq,
      timeMs: context.timeMs,
      market: this.id,
      tradeId: context.nextTradeId++,
      auction,
      makerOrderId: orders.orderId[makerSlot]!,
      takerOrderId: orders.orderId[takerSlot]!,
      makerAccount: names[orders.account[makerSlot]!]!,
      takerAccount: names[orders.account[takerSlot]!]!,
      makerClientOrderId: orders.clientOrderId[makerSlot]!,
      takerClientOrderId: orders.clientOrderId[takerSlot]!,
      takerSide: SIDES[orders.side[takerSlot]!]!,
      priceHalfTicks,
      sizeLots,
      notionalQuoteAtoms: amounts.notionalQuoteAtoms,
      makerFeeQuoteAtoms: amounts.makerFeeQuoteAtoms,
      takerFeeQuoteAtoms: amounts.takerFeeQuoteAtoms,
      makerRemainingLots: orders.remainingLots[makerSlot]!,
      takerRemainingLots: orders.remainingLots[takerSlot]!,
    });
  }

  emitAccepted(slot: number): void {
    const orders = this.orders;
    const context = this.context;
    context.sink({
      type: 'accepted',
      seq: context.seq,
      timeMs: context.timeMs,
      market: this.id,
      orderId: orders.orderId[slot]!,
      account: this.accounts.names[orders.account[slot]!]!,
      clientOrderId: orders.clientOrderId[slot]!,
      side: SIDES[orders.side[slot]!]!,
      orderType: ORDER_TYPES[orders.kind[slot]!]!,
      sizeLots: orders.remainingLots[slot]!,
    });
  }

  emitAmended(slot: number, cause: AmendCause, priorityKept: boolean): void {
    const orders = this.orders;
    const context = this.context;
    context.sink({
      type: 'amended',
      seq: context.seq,
      timeMs: context.timeMs,
      market: this.id,
      orderId: orders.orderId[slot]!,
      account: this.accounts.names[orders.account[slot]!]!,
      clientOrderId: orders.clientOrderId[slot]!,
      cause,
      sizeLots: orders.remainingLots[slot]!,
      priceTicks: orders.kind[slot] === KIND_MIDPOINT ? undefined : orders.priceTicks[slot]!,
      priorityKept,
    });
  }

  emitCancelled(slot: number, reason: CancelReason, cancelledLots: number, remainingLots: number): void {
    const orders = this.orders;
    const context = this.context;
    context.sink({
      type: 'cancelled',
      seq: context.seq,
      timeMs: context.timeMs,
      market: this.id,
      orderId: orders.orderId[slot]!,
      account: this.accounts.names[orders.account[slot]!]!,
      clientOrderId: orders.clientOrderId[slot]!,
      reason,
      cancelledLots,
      remainingLots,
    });
  }

  /** Order ids of the account's resting orders in this book, in no particular order. */
  accountOrderIds(account: number): number[] {
    const ids: number[] = [];
    if (account < 0 || account >= this.accountHead.length) return ids;
    const orders = this.orders;
    for (let slot = this.accountHead[account]!; slot !== NO_SLOT && ids.length <= this.restingCount; slot = orders.accountNext[slot]!) {
      ids.push(orders.orderId[slot]!);
    }
    return ids;
  }

  private growAccountOrders(account: number): void {
    let capacity = this.accountOrders.length * 2;
    while (capacity <= account) capacity *= 2;
    const counts = new Int32Array(capacity);
    counts.set(this.accountOrders);
    this.accountOrders = counts;
    const heads = new Int32Array(capacity).fill(NO_SLOT);
    heads.set(this.accountHead);
    this.accountHead = heads;
  }
}
