// Resting and in-flight orders of one book as a struct of typed arrays indexed by slot, with a
// free list. A million resting orders then cost a few dozen bytes each and placing an order
// allocates nothing on the JavaScript heap once capacity has grown.

import type { OrderType, SelfTradePrevention, Side, TimeInForce } from './types.js';

export const NO_SLOT = -1;

/** Order kinds as stored; the order matches OrderType. */
export const KIND_LIMIT = 0;
export const KIND_MARKET = 1;
export const KIND_MIDPOINT = 2;
export const KIND_PRIMARY_PEG = 3;

export const SIDE_BUY = 0;
export const SIDE_SELL = 1;

export const TIF_GTC = 0;
export const TIF_IOC = 1;
export const TIF_FOK = 2;
export const TIF_GTT = 3;

export const STP_CANCEL_NEWEST = 0;
export const STP_CANCEL_OLDEST = 1;
export const STP_CANCEL_BOTH = 2;
export const STP_DECREMENT = 3;

/** Names by stored code, for events and views. */
export const SIDES: readonly Side[] = ['buy', 'sell'];
export const ORDER_TYPES: readonly OrderType[] = ['limit', 'market', 'midpoint', 'primaryPeg'];
export const TIMES_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK', 'GTT'];
export const SELF_TRADE_MODES: readonly SelfTradePrevention[] = ['cancelNewest', 'cancelOldest', 'cancelBoth', 'decrement'];

/** Stored code of a name; undefined for a name the validator rejects. */
export function kindCode(orderType: string): number | undefined {
  switch (orderType) {
    case 'limit': return KIND_LIMIT;
    case 'market': return KIND_MARKET;
    case 'midpoint': return KIND_MIDPOINT;
    case 'primaryPeg': return KIND_PRIMARY_PEG;
    default: return undefined;
  }
}

export function timeInForceCode(timeInForce: string): number | undefined {
  switch (timeInForce) {
    case 'GTC': return TIF_GTC;
    case 'IOC': return TIF_IOC;
    case 'FOK': return TIF_FOK;
    case 'GTT': return TIF_GTT;
    default: return undefined;
  }
}

export function selfTradeCode(mode: string): number | undefined {
  switch (mode) {
    case 'cancelNewest': return STP_CANCEL_NEWEST;
    case 'cancelOldest': return STP_CANCEL_OLDEST;
    case 'cancelBoth': return STP_CANCEL_BOTH;
    case 'decrement': return STP_DECREMENT;
    default: return undefined;
  }
}

const INITIAL_CAPACITY = 1024;

function grown<T extends Float64Array | Int32Array | Uint8Array>(old: T, capacity: number, make: (n: number) => T): T {
  const next = make(capacity);
  next.set(old);
  return next;
}

export class OrderStore {
  capacity = INITIAL_CAPACITY;
  /** Slots in use (resting or being matched). */
  used = 0;
  orderId = new Float64Array(INITIAL_CAPACITY);
  /** Neighbours in the level's FIFO list. */
  next = new Int32Array(INITIAL_CAPACITY);
  prev = new Int32Array(INITIAL_CAPACITY);
  /** Level slot the order is linked into, NO_SLOT while not resting. */
  level = new Int32Array(INITIAL_CAPACITY);
  /** Sizes and prices fit 31 bits: the market limits cap them at 2^31 − 1. */
  remainingLots = new Int32Array(INITIAL_CAPACITY);
  minQtyLots = new Int32Array(INITIAL_CAPACITY);
  /** Resting price for priced orders, protection price for market orders, 0 for midpoint orders. */
  priceTicks = new Int32Array(INITIAL_CAPACITY);
  account = new Int32Array(INITIAL_CAPACITY);
  side = new Uint8Array(INITIAL_CAPACITY);
  kind = new Uint8Array(INITIAL_CAPACITY);
  timeInForce = new Uint8Array(INITIAL_CAPACITY);
  selfTrade = new Uint8Array(INITIAL_CAPACITY);
  postOnly = new Uint8Array(INITIAL_CAPACITY);
  /** Position in the expiry heap, NO_SLOT when the order has no expiry scheduled. */
  heapPosition = new Int32Array(INITIAL_CAPACITY);
  clientOrderId: string[] = new Array<string>(INITIAL_CAPACITY).fill('');
  /** clientIdHash(account, clientOrderId), computed once on arrival. */
  clientIdHash = new Int32Array(INITIAL_CAPACITY);
  /** Neighbours in the list of the account's resting orders in this book. */
  accountNext = new Int32Array(INITIAL_CAPACITY);
  accountPrev = new Int32Array(INITIAL_CAPACITY);
  /** Free slots form a stack linked through `next`. */
  private freeHead = NO_SLOT;
  private highWater = 0;

  allocate(): number {
    let slot: number;
    if (this.freeHead !== NO_SLOT) {
      slot = this.freeHead;
      this.freeHead = this.next[slot]!;
    }
    else {
      if (this.highWater === this.capacity) this.grow();
      slot = this.highWater++;
    }
    this.used++;
    this.next[slot] = NO_SLOT;
    this.prev[slot] = NO_SLOT;
    this.level[slot] = NO_SLOT;
    this.heapPosition[slot] = NO_SLOT;
    return slot;
  }

  release(slot: number): void {
    this.clientOrderId[slot] = '';
    this.level[slot] = NO_SLOT;
    this.next[slot] = this.freeHead;
    this.freeHead = slot;
    this.used--;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    this.orderId = grown(this.orderId, capacity, (n) => new Float64Array(n));
    this.next = grown(this.next, capacity, (n) => new Int32Array(n));
    this.prev = grown(this.prev, capacity, (n) => new Int32Array(n));
    this.level = grown(this.level, capacity, (n) => new Int32Array(n));
    this.remainingLots = grown(this.remainingLots, capacity, (n) => new Int32Array(n));
    this.minQtyLots = grown(this.minQtyLots, capacity, (n) => new Int32Array(n));
    this.priceTicks = grown(this.priceTicks, capacity, (n) => new Int32Array(n));
    this.account = grown(this.account, capacity, (n) => new Int32Array(n));
    this.side = grown(this.side, capacity, (n) => new Uint8Array(n));
    this.kind = grown(this.kind, capacity, (n) => new Uint8Array(n));
    this.timeInForce = grown(this.timeInForce, capacity, (n) => new Uint8Array(n));
    this.selfTrade = grown(this.selfTrade, capacity, (n) => new Uint8Array(n));
    this.postOnly = grown(this.postOnly, capacity, (n) => new Uint8Array(n));
    this.heapPosition = grown(this.heapPosition, capacity, (n) => new Int32Array(n));
    this.clientIdHash = grown(this.clientIdHash, capacity, (n) => new Int32Array(n));
    this.accountNext = grown(this.accountNext, capacity, (n) => new Int32Array(n));
    this.accountPrev = grown(this.accountPrev, capacity, (n) => new Int32Array(n));
    const ids = new Array<string>(capacity).fill('');
    for (let i = 0; i < this.capacity; i++) ids[i] = this.clientOrderId[i]!;
    this.clientOrderId = ids;
    this.capacity = capacity;
  }
}
